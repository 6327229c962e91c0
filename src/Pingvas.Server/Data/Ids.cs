namespace Pingvas.Server.Data;

/// <summary>
/// UUIDv7 ids that strictly increase within this process. Lists page and sort by id, so two
/// ledger entries written in the same millisecond must still keep their order; the framework's
/// <see cref="Guid.CreateVersion7()"/> is random within a millisecond.
/// </summary>
public static class Ids
{
    private static readonly Lock Gate = new();
    private static UInt128 last;

    public static Guid New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7().TryWriteBytes(bytes, bigEndian: true, out _);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        lock (Gate)
        {
            // Same millisecond (or a clock step back): continue after the last id instead.
            if (value <= last)
            {
                value = last + 1;
            }

            last = value;
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }
}
