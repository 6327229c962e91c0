import { useEffect, useRef, type PointerEvent } from "react";

import { useLocale } from "../i18n/LocaleContext";
import { paintStroke, type Mask, type Tool } from "../logic/mask";

/**
 * The image with the mask over it (red where it will be repainted). The canvas has the image's own
 * size and is scaled by CSS, so a stroke lands on the pixels under the pointer at any screen width.
 */
export function MaskEditor({ imageUrl, mask, tool, radius, version, onPainted }: {
  imageUrl: string;
  mask: Mask;
  tool: Tool;
  radius: number;
  /** Bumped by the page when the mask changed outside a stroke (clear, fill): redraw. */
  version: number;
  onPainted: () => void;
}) {
  const { t } = useLocale();
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const frame = useRef<number | null>(null);

  const draw = () => {
    frame.current = null;
    const context = canvas.current?.getContext("2d");
    if (!context) {
      return;
    }
    const image = context.createImageData(mask.width, mask.height);
    for (let i = 0; i < mask.pixels.length; i++) {
      if (mask.pixels[i] !== 0) {
        image.data.set([239, 68, 68, 140], i * 4);
      }
    }
    context.putImageData(image, 0, 0);
  };

  const scheduleDraw = () => {
    frame.current ??= requestAnimationFrame(draw);
  };

  useEffect(() => {
    scheduleDraw();
    return () => {
      if (frame.current !== null) {
        cancelAnimationFrame(frame.current);
        frame.current = null;
      }
    };
    // Redraw when the mask object or its version changes.
  }, [mask, version]);

  const point = (event: PointerEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) * mask.width) / rect.width, y: ((event.clientY - rect.top) * mask.height) / rect.height };
  };

  const down = (event: PointerEvent<HTMLCanvasElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    const p = point(event);
    last.current = p;
    paintStroke(mask, p, p, radius, tool);
    scheduleDraw();
  };

  const move = (event: PointerEvent<HTMLCanvasElement>) => {
    if (last.current === null) {
      return;
    }
    const p = point(event);
    paintStroke(mask, last.current, p, radius, tool);
    last.current = p;
    scheduleDraw();
  };

  const up = () => {
    if (last.current !== null) {
      last.current = null;
      onPainted();
    }
  };

  return (
    <div className="mask-editor" style={{ aspectRatio: `${mask.width} / ${mask.height}` }}>
      <img src={imageUrl} alt={t("canvas.imageAlt")} draggable={false} />
      <canvas
        ref={canvas}
        width={mask.width}
        height={mask.height}
        aria-label={t("canvas.maskLabel")}
        role="img"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
    </div>
  );
}
