using System.Globalization;

namespace Pingvas.Server.Storage;

/// <summary>
/// The arguments of <c>pingvas storage-reconcile</c>. Its own flags are taken out; everything else
/// (<c>--data</c>, <c>--Section:Key=value</c>) configures the host as for any other role.
/// </summary>
public sealed record ReconcileArguments(bool Apply, bool PurgeQuarantine, TimeSpan OlderThan, TimeSpan MinAge, int Sample, int BatchSize, string[] HostArgs)
{
    public const string Usage = """
        Usage: pingvas storage-reconcile [--dry-run | --apply] [--min-age 1h] [--sample 10] [--batch-size 500] [host options]
               pingvas storage-reconcile --purge-quarantine [--older-than 30d] [--dry-run | --apply] [host options]

          Compares the objects under users/ with the database (after a restore): objects no row refers to
          (orphans) and rows whose object is gone (missing). --dry-run (the default) only counts and shows
          a sample; --apply moves orphans older than --min-age to quarantine/ and marks ready exports whose
          ZIP is gone as expired. --purge-quarantine deletes quarantined objects older than --older-than.
          --batch-size: keys looked up and rows read per query. Host options: --data <folder> and
          --Section:Key=value settings (as for any role); any other option is refused.
        """;

    public static ReconcileArguments Parse(IReadOnlyList<string> args)
    {
        bool apply = false, dryRun = false, purge = false;
        var olderThan = TimeSpan.FromDays(30);
        var minAge = TimeSpan.FromHours(1);
        var sample = 10;
        var batchSize = 500;
        var host = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value."));
            switch (name)
            {
                case "--apply":
                    apply = true;
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--purge-quarantine":
                    purge = true;
                    break;
                case "--older-than":
                    olderThan = ParseDuration(name, Value());
                    break;
                case "--min-age":
                    minAge = ParseDuration(name, Value());
                    break;
                case "--sample":
                    sample = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 1000
                        ? count
                        : throw new ArgumentException("--sample must be a number from 0 to 1000.");
                    break;
                case "--batch-size":
                    batchSize = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 1 and <= 5000
                        ? size
                        : throw new ArgumentException("--batch-size must be a number from 1 to 5000.");
                    break;
                default:
                    // A typo such as --aply must not quietly become a host setting and leave a dry run.
                    if (!IsHostOption(name))
                    {
                        throw new ArgumentException($"Unknown option '{args[i]}'.");
                    }

                    host.Add(args[i]);
                    if (inline is null && i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                    {
                        host.Add(args[++i]);
                    }

                    break;
            }
        }

        if (apply && dryRun)
        {
            throw new ArgumentException("Use either --dry-run or --apply, not both.");
        }

        return new ReconcileArguments(apply, purge, olderThan, minAge, sample, batchSize, [.. host]);
    }

    /// <summary>Host settings: <c>--data</c>, the host's own flat keys, or a <c>--Section:Key</c>.</summary>
    private static bool IsHostOption(string name) =>
        name.StartsWith("--", StringComparison.Ordinal) && name.Length > 2
        && (name.Contains(':') || HostKeys.Contains(name[2..]));

    private static readonly HashSet<string> HostKeys =
        new(["data", "urls", "http_ports", "https_ports", "environment", "contentRoot", "applicationName"], StringComparer.OrdinalIgnoreCase);

    /// <summary><c>30d</c>, <c>12h</c>, <c>90m</c> or <c>0</c>.</summary>
    public static TimeSpan ParseDuration(string name, string text)
    {
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            switch (text[^1])
            {
                case 'd':
                    return TimeSpan.FromDays(amount);
                case 'h':
                    return TimeSpan.FromHours(amount);
                case 'm':
                    return TimeSpan.FromMinutes(amount);
            }
        }

        throw new ArgumentException($"{name} takes a duration such as 30d, 12h or 90m, not '{text}'.");
    }
}
