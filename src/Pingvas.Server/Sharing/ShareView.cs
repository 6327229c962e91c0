namespace Pingvas.Server.Sharing;

/// <summary>A visitor session that opened a share: a view is counted once per visitor.</summary>
public sealed class ShareView
{
    public Guid ShareId { get; set; }

    /// <summary>An opaque hash identifying the visitor session (never an address or a cookie in clear).</summary>
    public required string Visitor { get; set; }

    public DateTime ViewedAt { get; set; }
}
