using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

/// <summary>
/// The admin check for <c>/api/v1/admin</c>: anonymous is 401, a signed-in user whose account is
/// not an admin is 403 <c>forbidden</c>, and an admin is admitted only once TOTP is enrolled and
/// this session was signed in with a code (403 <c>totp_required</c> otherwise). The role is read
/// from the account's row on every admin request, not from the token's <c>role</c> claim, so
/// granting or revoking it (users.role, see README "Administrators") takes effect at once.
/// </summary>
public static class AdminRole
{
    public const string Policy = "admin";

    public const string TotpRequired = "totp_required";

    public static AuthorizationBuilder AddAdminPolicy(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(Policy, p => p.RequireAuthenticatedUser().AddRequirements(new AdminRequirement()));

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult TotpRequiredProblem() =>
        Problems.Create(StatusCodes.Status403Forbidden, TotpRequired, "Two-factor sign-in required.",
            "Admin routes need TOTP: enrol at /api/v1/me/totp/enroll, confirm, and sign in with a code.");
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
        var account = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Role, u.TotpEnabledAt }).SingleOrDefaultAsync(http.RequestAborted);
        if (account?.Role != Roles.Admin)
        {
            return;
        }

        if (account.TotpEnabledAt is null || !SessionClaims.SignedInWithTotp(context.User))
        {
            context.Fail(new AuthorizationFailureReason(this, AdminRole.TotpRequired));
            return;
        }

        context.Succeed(requirement);
    }
}

/// <summary>Answers an admin refused for want of TOTP with 403 <c>totp_required</c>; every other outcome as usual.</summary>
public sealed class AdminTotpResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Message == AdminRole.TotpRequired) == true)
        {
            await AdminRole.TotpRequiredProblem().ExecuteAsync(context);
            return;
        }

        await fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
