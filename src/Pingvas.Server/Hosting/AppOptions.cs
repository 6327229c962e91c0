namespace Pingvas.Server.Hosting;

/// <summary><c>App__*</c> settings.</summary>
public sealed class AppOptions
{
    /// <summary>
    /// Where people reach the web app (e.g. https://studio.pingvas.com); links in emails and the
    /// return addresses given to payment and sign-in providers are built on it.
    /// </summary>
    public Uri PublicUrl { get; set; } = new(PingvasApp.DefaultApiUrls);

    /// <summary>An absolute link to a path of the web app, e.g. <c>Link("/billing")</c>.</summary>
    public Uri Link(string pathAndQuery) => new(PublicUrl, pathAndQuery);
}
