using System.Globalization;

namespace Pingvas.Server.Storage;

/// <summary>What a reconcile found and did: counters, a bounded sample, and progress lines on stdout.</summary>
public sealed class ReconcileReport(TextWriter output, int sampleSize)
{
    /// <summary>A progress line every this many objects or rows.</summary>
    internal const int ProgressEvery = 1000;

    public long Listed { get; set; }

    public long Young { get; set; }

    public long Unrecognised { get; set; }

    public long Orphans { get; set; }

    public long OrphanBytes { get; set; }

    public long Quarantined { get; set; }

    public Dictionary<string, long> RowsChecked { get; } = [];

    public Dictionary<string, long> Missing { get; } = [];

    public long ExportsExpired { get; set; }

    public long Purgeable { get; set; }

    public long Purged { get; set; }

    public List<string> OrphanSample { get; } = [];

    public List<string> MissingSample { get; } = [];

    public List<string> UnrecognisedSample { get; } = [];

    public void Line(string text) => output.WriteLine(text);

    public void AddSample(List<string> sample, string text)
    {
        if (sample.Count < sampleSize)
        {
            sample.Add(text);
        }
    }

    public void WriteSummary(TimeSpan minAge)
    {
        Line("summary:");
        Line($"  objects listed: {N(Listed)}");
        Line($"  orphans: {N(Orphans)} ({N(OrphanBytes)} bytes)");
        Line($"  quarantined: {N(Quarantined)}");
        Line($"  too young to judge (< {minAge.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min): {N(Young)}");
        Line($"  unrecognised keys (left alone): {N(Unrecognised)}");
        foreach (var (table, rows) in RowsChecked)
        {
            Line($"  {table} rows checked: {N(rows)}, missing objects: {N(Missing.GetValueOrDefault(table))}");
        }

        Line($"  missing objects: {N(Missing.Values.Sum())}");
        Line($"  exports marked expired: {N(ExportsExpired)}");
        Section("sample orphans:", OrphanSample);
        Section("sample missing:", MissingSample);
        Section("sample unrecognised:", UnrecognisedSample);
    }

    public void WritePurgeSummary()
    {
        Line("summary:");
        Line($"  quarantined objects past the age: {N(Purgeable)}");
        Line($"  purged: {N(Purged)}");
    }

    private void Section(string title, List<string> sample)
    {
        if (sample.Count == 0)
        {
            return;
        }

        Line(title);
        foreach (var item in sample)
        {
            Line($"  {item}");
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
