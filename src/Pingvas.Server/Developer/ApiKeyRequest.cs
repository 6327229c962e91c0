using System.Security.Claims;

namespace Pingvas.Server.Developer;

/// <summary>
/// What the API-key handler learned about a key-authenticated request, kept in the request's items:
/// the key, its scopes and the owner's monthly allowance (null: unlimited, 0: the plan has no API).
/// <see cref="Used"/> is the period's count as read at the start, or as the submit's counter left it.
/// </summary>
public sealed class ApiKeyRequest(Guid keyId, Guid userId, IReadOnlySet<string> scopes, int? monthlyLimit)
{
    private const string Item = "pingvas.api_key";

    /// <summary>The value of the <c>auth</c> claim on a key principal.</summary>
    public const string AuthMethod = "api_key";

    public const string AuthClaim = "auth";
    public const string KeyIdClaim = "key_id";
    public const string ScopeClaim = "scope";

    public Guid KeyId { get; } = keyId;

    public Guid UserId { get; } = userId;

    public IReadOnlySet<string> Scopes { get; } = scopes;

    public int? MonthlyLimit { get; } = monthlyLimit;

    public int? Used { get; set; }

    public static ApiKeyRequest? Of(HttpContext? http) =>
        http is not null && http.Items.TryGetValue(Item, out var value) && value is ApiKeyRequest request
            && http.User.FindFirstValue(AuthClaim) == AuthMethod ? request : null;

    public void AttachTo(HttpContext http) => http.Items[Item] = this;

    public static bool IsKeyPrincipal(ClaimsPrincipal? principal) => principal?.FindFirstValue(AuthClaim) == AuthMethod;
}
