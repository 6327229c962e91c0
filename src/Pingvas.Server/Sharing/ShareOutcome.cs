namespace Pingvas.Server.Sharing;

/// <summary>What came of creating a share; the endpoint maps each refusal to its problem.</summary>
public abstract record ShareOutcome
{
    public sealed record Created(ShareDto Share) : ShareOutcome;

    /// <summary>400 <c>validation_failed</c> on <see cref="Field"/>.</summary>
    public sealed record Invalid(string Field, string Detail) : ShareOutcome;

    /// <summary>404 <c>image_not_found</c>: not the caller's, trashed or missing.</summary>
    public sealed record ImageNotFound : ShareOutcome;

    /// <summary>404 <c>folder_not_found</c>: not the caller's or missing.</summary>
    public sealed record FolderNotFound : ShareOutcome;
}

/// <summary>What a visitor's request for a public share came to.</summary>
public abstract record PublicShareOutcome
{
    public sealed record Shown(PublicShareDto Share) : PublicShareOutcome;

    /// <summary>Unlocked (or no password needed): the visitor may read the share now.</summary>
    public sealed record Unlocked : PublicShareOutcome;

    /// <summary>404 <c>share_not_found</c>: unknown, expired, revoked, exhausted for this visitor, or nothing left to show.</summary>
    public sealed record NotFound : PublicShareOutcome;

    /// <summary>401 <c>share_password_required</c>.</summary>
    public sealed record PasswordRequired : PublicShareOutcome;

    /// <summary>401 <c>share_password_invalid</c>.</summary>
    public sealed record PasswordInvalid : PublicShareOutcome;

    /// <summary>429 <c>share_password_throttled</c> with Retry-After.</summary>
    public sealed record Throttled(TimeSpan Wait) : PublicShareOutcome;

    /// <summary>400 <c>validation_failed</c>: no password sent.</summary>
    public sealed record Invalid(string Field, string Detail) : PublicShareOutcome;
}
