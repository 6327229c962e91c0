using Pingvas.Server.Accounts;

namespace Pingvas.Server.Data;

/// <summary>
/// The user whose rows this scope's database commands may see on PostgreSQL (row-level security,
/// see <see cref="TenantSessionInterceptor"/>). Set once per request, after authentication, from
/// the access token; null — system context, every row — in background scopes (workers, recovery),
/// at start-up and on anonymous requests (registration, login, refresh, signed file links).
/// An explicit scoped service rather than IHttpContextAccessor: that flows through async-locals
/// into whatever the request starts, while this belongs to the scope that owns the DbContext.
/// </summary>
public sealed class DatabaseTenant
{
    public Guid? UserId { get; private set; }

    public void Set(Guid userId) => UserId = userId;

    /// <summary>
    /// System context until disposed, then the user again: for the few reads a request makes across
    /// users on purpose (the queue order counts every user's queued jobs). Stays on the same
    /// DbContext, connection and transaction, so such a read still sees the request's own uncommitted rows.
    /// </summary>
    public IDisposable AsSystem()
    {
        var saved = UserId;
        UserId = null;
        return new Restore(this, saved);
    }

    private sealed class Restore(DatabaseTenant tenant, Guid? saved) : IDisposable
    {
        public void Dispose() => tenant.UserId = saved;
    }
}

public static class DatabaseTenantMiddleware
{
    /// <summary>Keys the request's database commands to the signed-in user. Place after UseAuthentication.</summary>
    public static IApplicationBuilder UseDatabaseTenant(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (CurrentUser.TryGetId(context.User) is { } userId)
            {
                context.RequestServices.GetRequiredService<DatabaseTenant>().Set(userId);
            }

            return next(context);
        });
}
