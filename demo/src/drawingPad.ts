/**
 * A canvas to draw on with mouse, pen or touch through pointer events: dark ink on white paper, as
 * people write. The page inverts it to MNIST's white on black in preprocessing, like any picture.
 */

export interface DrawingPadEvents {
  /** A stroke grew (called on every pointermove while drawing; the page throttles). */
  onStroke(): void;
  /** A stroke ended (pointerup or pointercancel). */
  onStrokeEnd(): void;
  /** The user starts drawing on a pad that shows an opened picture: that picture is about to be wiped. */
  onDrawingStart(): void;
}

const PAPER = '#ffffff';
const INK = '#111111';
/**
 * Stroke width as a fraction of the pad's side: a digit drawn across most of the pad is scaled to
 * MNIST's 20-pixel box by about 1/10, which leaves strokes about 3 pixels wide like MNIST's pen strokes.
 */
const STROKE_WIDTH_FRACTION = 0.1;

export class DrawingPad {
  private readonly context: CanvasRenderingContext2D;
  private lastPoint: { x: number; y: number } | null = null;
  private activePointer: number | null = null;
  private showsPicture = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly events: DrawingPadEvents,
  ) {
    matchDisplayResolution(canvas);
    // willReadFrequently: the page reads the pixels back after every stroke segment.
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser cannot draw on a canvas (no 2D context)');
    this.context = context;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => this.startStroke(event));
    canvas.addEventListener('pointermove', (event) => this.extendStroke(event));
    canvas.addEventListener('pointerup', (event) => this.endStroke(event));
    canvas.addEventListener('pointercancel', (event) => this.endStroke(event));
  }

  clear(): void {
    this.context.fillStyle = PAPER;
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.showsPicture = false;
  }

  /** Shows an opened picture scaled to fit the pad; crisp pixels for small images such as 28×28 digits. */
  showPicture(picture: CanvasImageSource, width: number, height: number): void {
    this.clear();
    const scale = Math.min(this.canvas.width / width, this.canvas.height / height);
    const drawnWidth = width * scale;
    const drawnHeight = height * scale;
    this.context.imageSmoothingEnabled = scale < 1;
    this.context.drawImage(picture, (this.canvas.width - drawnWidth) / 2, (this.canvas.height - drawnHeight) / 2, drawnWidth, drawnHeight);
    this.context.imageSmoothingEnabled = true;
    this.showsPicture = true;
  }

  /** The pad's pixels as RGBA. */
  pixels(): ImageData {
    return this.context.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  private startStroke(event: PointerEvent): void {
    if (this.activePointer !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    if (this.showsPicture) {
      this.events.onDrawingStart();
      this.clear();
    }
    this.activePointer = event.pointerId;
    // Keep receiving moves when the pointer leaves the canvas mid-stroke.
    this.canvas.setPointerCapture(event.pointerId);
    this.lastPoint = this.toCanvasPoint(event);
    this.drawSegment(this.lastPoint, this.lastPoint);
    this.events.onStroke();
  }

  private extendStroke(event: PointerEvent): void {
    if (event.pointerId !== this.activePointer || !this.lastPoint) return;
    event.preventDefault();
    // Coalesced events hold the intermediate positions of fast moves, for smooth curves.
    const moves = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    for (const move of moves.length > 0 ? moves : [event]) {
      const point = this.toCanvasPoint(move);
      this.drawSegment(this.lastPoint, point);
      this.lastPoint = point;
    }
    this.events.onStroke();
  }

  private endStroke(event: PointerEvent): void {
    if (event.pointerId !== this.activePointer) return;
    this.activePointer = null;
    this.lastPoint = null;
    this.events.onStrokeEnd();
  }

  private drawSegment(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const context = this.context;
    context.strokeStyle = INK;
    context.lineWidth = STROKE_WIDTH_FRACTION * Math.min(this.canvas.width, this.canvas.height);
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  }

  /** Pointer position in canvas pixels (the canvas may be displayed larger or smaller than its resolution). */
  private toCanvasPoint(event: PointerEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * this.canvas.width,
      y: ((event.clientY - rect.top) / rect.height) * this.canvas.height,
    };
  }
}

/**
 * Gives the canvas one pixel per device pixel, so strokes look sharp on high-density screens. The
 * preprocessing takes any resolution, and the stroke width is a fraction of the canvas size, so
 * the model's input does not depend on the screen.
 */
function matchDisplayResolution(canvas: HTMLCanvasElement): void {
  const scale = Math.max(1, window.devicePixelRatio || 1);
  const width = Math.round((canvas.clientWidth || canvas.width) * scale);
  const height = Math.round((canvas.clientHeight || canvas.height) * scale);
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
}
