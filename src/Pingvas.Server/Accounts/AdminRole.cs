using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Accounts;

/// <summary>
/// The admin role check for <c>/api/v1/admin</c>: anonymous is 401, a signed-in user whose account
/// is not an admin is 403. The role is read from the account's row on every admin request, not
/// from the token's <c>role</c> claim, so granting or revoking it (users.role, see README
/// "Administrators") takes effect at once instead of when old tokens expire.
/// </summary>
public static class AdminRole
{
    public const string Policy = "admin";

    public static AuthorizationBuilder AddAdminPolicy(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(Policy, p => p.RequireAuthenticatedUser().AddRequirements(new AdminRequirement()));
}

public sealed class AdminRequirement : IAuthorizationRequirement;

public sealed class AdminRequirementHandler : AuthorizationHandler<AdminRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
    {
        if (context.Resource is not HttpContext http || CurrentUser.TryGetId(context.User) is not { } userId)
        {
            return;
        }

        var db = http.RequestServices.GetRequiredService<PingvasDb>();
        if (await db.Users.AnyAsync(u => u.Id == userId && u.Role == Roles.Admin, http.RequestAborted))
        {
            context.Succeed(requirement);
        }
    }
}
