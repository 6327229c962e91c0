using System.Text.Json;

namespace Pingvas.Server.Notices;

/// <summary>An in-app notice for one user (credits low, credits exhausted, ...), shown until dismissed.</summary>
public sealed class Notice
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>One of the <see cref="Email.EmailKinds"/> names, e.g. <c>credits_low</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>JSON object: what the web app shows with the kind (e.g. the balance).</summary>
    public required string Data { get; set; }

    /// <summary>Unique per user: a notice with the same key is not written twice (e.g. credits_low:&lt;period start&gt;).</summary>
    public required string DedupeKey { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DismissedAt { get; set; }

    public NoticeDto ToDto()
    {
        using var document = JsonDocument.Parse(Data);
        return new NoticeDto(Id, Kind, CreatedAt, document.RootElement.Clone());
    }
}

/// <summary>A notice as <c>GET /notices</c> and the hub's <c>notice</c> event show it.</summary>
public sealed record NoticeDto(Guid Id, string Kind, DateTime CreatedAt, JsonElement Data);
