namespace Pingvas.Engines.Procedural;

/// <summary>
/// A tiny seeded generator (SplitMix64). System.Random's seeded sequence is an implementation
/// detail of the runtime; this one is fixed forever, so old seeds keep rendering the same image.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 24 bits, exactly representable as a float.</summary>
    public float NextFloat()
    {
        return (NextUInt64() >> 40) * (1f / (1 << 24));
    }

    public float Range(float min, float max)
    {
        return min + ((max - min) * NextFloat());
    }

    public int Next(int maxExclusive)
    {
        return (int)((NextUInt64() >> 33) % (ulong)maxExclusive);
    }

    /// <summary>The SplitMix64 finaliser: a strong 64-bit mixer, also used to hash pixel coordinates.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
