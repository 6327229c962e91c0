namespace Pingvas.Engines.Procedural;

/// <summary>
/// One noise layer of the flow field: frequency, strength, tint, offset, and a rotation
/// (cosine/sine, premultiplied by the frequency) that keeps the noise lattice from showing as a grid.
/// </summary>
internal readonly record struct Octave(
    float Cos,
    float Sin,
    float Amplitude,
    float R,
    float G,
    float B,
    float OffsetX,
    float OffsetY,
    bool Ridged);
