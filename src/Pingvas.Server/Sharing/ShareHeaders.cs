namespace Pingvas.Server.Sharing;

/// <summary>
/// Keeps share links private: every answer of the public share API and the <c>/s/…</c> page says
/// no referrer (it would carry the token to other sites) and no indexing; the API answers are not
/// cached either. Set just before the answer starts, so error answers (which clear the headers) carry them too.
/// </summary>
public static class ShareHeaders
{
    public const string PagePrefix = "/s";

    public static IApplicationBuilder UseShareHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var api = context.Request.Path.StartsWithSegments(ShareCookies.PublicPath, StringComparison.OrdinalIgnoreCase);
            if (api || context.Request.Path.StartsWithSegments(PagePrefix, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers["Referrer-Policy"] = "no-referrer";
                    headers["X-Robots-Tag"] = "noindex, nofollow";
                    if (api)
                    {
                        headers.CacheControl = "no-store";
                    }

                    return Task.CompletedTask;
                });
            }

            return next(context);
        });
}
