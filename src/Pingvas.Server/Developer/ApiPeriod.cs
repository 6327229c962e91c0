using System.Globalization;

namespace Pingvas.Server.Developer;

/// <summary>The API quota's period: the calendar month in UTC.</summary>
public static class ApiPeriod
{
    public static string Of(DateTime utc) => utc.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string DayOf(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateTime StartOf(DateTime utc) => new(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    public static DateTime ResetAt(DateTime utc) => StartOf(utc).AddMonths(1);

    /// <summary>Whole seconds until the reset, at least 1.</summary>
    public static long SecondsToReset(DateTime utc) => Math.Max(1, (long)Math.Ceiling((ResetAt(utc) - utc).TotalSeconds));
}
