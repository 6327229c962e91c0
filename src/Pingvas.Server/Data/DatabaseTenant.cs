using Pingvas.Server.Accounts;

namespace Pingvas.Server.Data;

/// <summary>
/// Whose rows this scope's database commands may see on PostgreSQL (row-level security, see
/// <see cref="TenantSessionInterceptor"/>). It fails closed: a scope that is neither keyed to a
/// user nor has entered system context sees no tenant rows at all. A request is keyed to its
/// signed-in user after authentication; work that spans users (workers, recovery, the outbox,
/// housekeeping, migrations) calls <see cref="EnterSystem"/> where its scope begins, so every
/// such place is visible in the code.
/// An explicit scoped service rather than IHttpContextAccessor: that flows through async-locals
/// into whatever the request starts, while this belongs to the scope that owns the DbContext.
/// </summary>
public sealed class DatabaseTenant
{
    /// <summary>The user whose rows are visible; null with <see cref="IsSystem"/> false means none.</summary>
    public Guid? UserId { get; private set; }

    /// <summary>Every user's rows are visible.</summary>
    public bool IsSystem { get; private set; }

    public void Set(Guid userId)
    {
        UserId = userId;
        IsSystem = false;
    }

    /// <summary>For the rest of this scope, every user's rows: background work that spans users.</summary>
    public void EnterSystem()
    {
        UserId = null;
        IsSystem = true;
    }

    /// <summary>
    /// System context until disposed, then back to what it was: for the few reads a request makes
    /// across users on purpose (the queue order counts every user's queued jobs; a refresh token is
    /// looked up before anyone is signed in). Stays on the same DbContext, connection and transaction,
    /// so such a read still sees the request's own uncommitted rows.
    /// </summary>
    public IDisposable AsSystem()
    {
        var saved = (UserId, IsSystem);
        EnterSystem();
        return new Restore(this, saved.UserId, saved.IsSystem);
    }

    private sealed class Restore(DatabaseTenant tenant, Guid? userId, bool system) : IDisposable
    {
        public void Dispose() => (tenant.UserId, tenant.IsSystem) = (userId, system);
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

/// <summary>Scopes for background work that spans users, in system context from the start.</summary>
public static class SystemScopes
{
    public static AsyncServiceScope CreateSystemScope(this IServiceScopeFactory scopes)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DatabaseTenant>().EnterSystem();
        return scope;
    }

    public static AsyncServiceScope CreateSystemScope(this IServiceProvider services) =>
        services.GetRequiredService<IServiceScopeFactory>().CreateSystemScope();

    /// <summary>A scope keyed to one user: for background work on behalf of that user alone.</summary>
    public static AsyncServiceScope CreateUserScope(this IServiceScopeFactory scopes, Guid userId)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DatabaseTenant>().Set(userId);
        return scope;
    }
}
