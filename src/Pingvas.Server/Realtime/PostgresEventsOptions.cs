namespace Pingvas.Server.Realtime;

/// <summary>Settings of the <c>LISTEN</c> connection (section <c>Events</c>; PostgreSQL only).</summary>
public sealed class PostgresEventsOptions
{
    /// <summary>First pause before reconnecting a dropped listening connection; doubles per failed attempt.</summary>
    public int ReconnectMinMilliseconds { get; set; } = 500;

    /// <summary>Longest pause between reconnect attempts.</summary>
    public int ReconnectMaxMilliseconds { get; set; } = 15_000;

    /// <summary>After this long without a notification the listener checks its connection with a query.</summary>
    public int CheckSeconds { get; set; } = 10;
}
