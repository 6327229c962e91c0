using Microsoft.Extensions.FileProviders;

namespace Pingvas.Server.Web;

/// <summary>
/// Serves the built web app (web/ → wwwroot next to the binary, or <c>Web:Root</c>): hashed files
/// under /assets/ cached for a year, index.html for every other page path so the client routes.
/// </summary>
public static class WebAppHosting
{
    /// <summary>Paths the server owns: an unknown one stays a JSON 404 problem, never the app's page.</summary>
    private static readonly string[] ServerPrefixes = ["/api", "/hubs", "/openapi", "/docs", "/health"];

    public static WebApplication MapWebApp(this WebApplication app)
    {
        var root = app.Configuration["Web:Root"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            // A build without the web app (PingvasSkipWeb, or an API-only image): / shows the API document.
            app.Logger.LogWarning("No web app at {Root}; / redirects to the OpenAPI document.", root);
            app.MapGet("/", () => Results.Redirect("/openapi/v1.json")).ExcludeFromDescription();
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = IsAsset(ctx.Context.Request.Path)
                // Vite puts a content hash in every asset name: a changed file is a new URL.
                ? "public, max-age=31536000, immutable"
                : "no-cache",
        });

        // Middleware, not MapFallback: a fallback endpoint would also win over the API's own 405s.
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is null && IsPage(context.Request))
            {
                // index.html names the current hashed assets: always revalidate it.
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.SendFileAsync(files.GetFileInfo("index.html"), context.RequestAborted);
                return;
            }

            await next(context);
        });
        return app;
    }

    private static bool IsAsset(PathString path) => path.StartsWithSegments("/assets", StringComparison.OrdinalIgnoreCase);

    /// <summary>A GET of a client route: not the server's, not an asset, not a missing file such as /favicon.ico.</summary>
    private static bool IsPage(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && !IsServerPath(request.Path) && !IsAsset(request.Path)
        && !Path.HasExtension(request.Path.Value);

    private static bool IsServerPath(PathString path) =>
        ServerPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));
}
