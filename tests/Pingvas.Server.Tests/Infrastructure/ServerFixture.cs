using Microsoft.Extensions.DependencyInjection;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// One server shared by the tests of a class (<c>IClassFixture</c>): started before the first,
/// disposed (and its database dropped) after the last. A class with its own configuration derives a
/// fixture that passes it; tests on a shared server register their own users and leave no job
/// behind that would hold its workers. A test that stops, restarts or breaks its server, or needs
/// a pristine one, starts its own with <see cref="PingvasServer.StartAsync(TestSettings, string?, Action{IServiceCollection}?, TestDatabase?)"/>.
/// </summary>
/// <param name="settings">What differs from <see cref="TestSettings.Fast"/>.</param>
/// <param name="postgres">Always on PostgreSQL (for PostgreSQL-only features), whatever <c>PINGVAS_TEST_DATABASE</c> says.</param>
public abstract class ServerFixture(TestSettings settings, bool postgres = false) : IAsyncLifetime
{
    protected ServerFixture()
        : this(new TestSettings())
    {
    }

    /// <summary>What this fixture's server runs with, on top of <see cref="TestSettings.Fast"/>: also for a test's own server of the same kind.</summary>
    public TestSettings Settings { get; } = settings;

    public PingvasServer Server { get; private set; } = null!;

    public virtual async Task InitializeAsync() =>
        Server = await PingvasServer.StartAsync(Settings, configureServices: ConfigureServices,
            database: postgres ? await TestDatabase.CreatePostgresAsync() : null);

    /// <summary>Replaces services after the app's own registrations (see <see cref="PingvasServer.StartAsync(TestSettings, string?, Action{IServiceCollection}?, TestDatabase?)"/>).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
