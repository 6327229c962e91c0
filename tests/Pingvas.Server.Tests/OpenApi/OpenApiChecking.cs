using System.Runtime.CompilerServices;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.OpenApi;

/// <summary>Turns the response check on for every client of every test server in this assembly.</summary>
internal static class OpenApiChecking
{
    // A module initializer: it runs before any test, so no test can make an unchecked client.
#pragma warning disable CA2255 // Used on purpose in a test assembly, not a library.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install() =>
        PingvasServer.WrapClientHandler = (server, inner) =>
            new OpenApiCheckingHandler(ct => OpenApiDocumentSource.GetAsync(server.BaseAddress, ct)) { InnerHandler = inner };
}
