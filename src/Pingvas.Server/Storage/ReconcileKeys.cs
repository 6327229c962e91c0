using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Storage;

/// <summary>Which table refers to an object under <c>users/</c>, and the keys the rows of one batch refer to.</summary>
public static class ReconcileKeys
{
    public enum Kind
    {
        /// <summary>A key of a shape we never write: not ours to judge.</summary>
        Unknown,
        Image,
        Upload,
        Lora,
        Export,
    }

    /// <summary>
    /// <c>users/&lt;user&gt;/&lt;folder&gt;/&lt;id&gt;…</c>: the folder names the table and the file name
    /// starts with the row's id (images, <c>UploadKeys</c>, <c>LoraKeys</c>, <c>ExportLinks.KeyOf</c>).
    /// </summary>
    public static Kind Classify(string key, out Guid rowId)
    {
        rowId = Guid.Empty;
        if (key.Split('/') is not ["users", { Length: 32 } user, var folder, { Length: > 32 } file]
            || !Guid.TryParseExact(user, "N", out _)
            || !Guid.TryParseExact(file[..32], "N", out rowId))
        {
            return Kind.Unknown;
        }

        var rest = file[32..];
        return folder switch
        {
            "images" when ObjectKeys.TryParseImage(key, out _, out _) => Kind.Image,
            "uploads" when IsRandomSuffix(rest, ".png", ".webp", ".jpg") => Kind.Upload,
            "loras" when IsRandomSuffix(rest, ".safetensors") => Kind.Lora,
            "exports" when rest == ".zip" => Kind.Export,
            _ => Kind.Unknown,
        };
    }

    /// <summary><c>-&lt;32 hex&gt;&lt;extension&gt;</c>, the random part <c>UploadKeys</c> and <c>LoraKeys</c> add.</summary>
    private static bool IsRandomSuffix(string rest, params string[] extensions) =>
        rest.Length > 33 && rest[0] == '-' && rest[1..33].All(char.IsAsciiHexDigitLower) && extensions.Contains(rest[33..]);

    /// <summary>The keys that rows of <paramref name="byKind"/>'s ids refer to: one primary-key query per table.</summary>
    public static async Task<HashSet<string>> ReferencedAsync(PingvasDb db, IReadOnlyDictionary<Kind, List<Guid>> byKind, CancellationToken ct)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (kind, ids) in byKind)
        {
            switch (kind)
            {
                case Kind.Image:
                    foreach (var i in await db.Images.IgnoreQueryFilters().AsNoTracking().Where(i => ids.Contains(i.Id))
                        .Select(i => new { i.OriginalKey, i.Thumb256Key, i.Thumb512Key }).ToListAsync(ct))
                    {
                        referenced.UnionWith([i.OriginalKey, i.Thumb256Key, i.Thumb512Key]);
                    }

                    break;
                case Kind.Upload:
                    referenced.UnionWith(await db.Uploads.IgnoreQueryFilters().AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => u.ObjectKey).ToListAsync(ct));
                    break;
                case Kind.Lora:
                    referenced.UnionWith(await db.Loras.IgnoreQueryFilters().AsNoTracking().Where(l => ids.Contains(l.Id)).Select(l => l.ObjectKey).ToListAsync(ct));
                    break;
                case Kind.Export:
                    referenced.UnionWith(await db.DataExports.IgnoreQueryFilters().AsNoTracking().Where(e => ids.Contains(e.Id) && e.ObjectKey != null).Select(e => e.ObjectKey!).ToListAsync(ct));
                    break;
            }
        }

        return referenced;
    }
}
