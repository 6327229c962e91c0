using System.Security.Claims;

namespace Pingvas.Server.Accounts;

/// <summary>The signed-in user of this request, from the access token's <c>sub</c> claim.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public Guid Id => TryGetId(accessor.HttpContext?.User) ?? throw new InvalidOperationException("No signed-in user on this request.");

    public static Guid? TryGetId(ClaimsPrincipal? principal) =>
        Guid.TryParse(principal?.FindFirstValue("sub"), out var id) ? id : null;
}
