namespace Pingvas.Engines.Procedural;

/// <summary>A soft, lit orb or ring placed in the composition (centre and radius in long-side units).</summary>
internal readonly record struct Shape(
    float CenterX,
    float CenterY,
    float Radius,
    float Softness,
    float R,
    float G,
    float B,
    float Alpha,
    bool Ring);
