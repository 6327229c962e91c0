namespace Pingvas.Server.Accounts.External;

/// <summary>One sign-in provider's settings (<c>Auth:Google:*</c>, <c>Auth:Discord:*</c>).</summary>
public sealed record ExternalProvider(
    string Name, string ClientId, string ClientSecret, string AuthorizationEndpoint, string TokenEndpoint, string UserInformationEndpoint,
    IReadOnlyList<string> Scopes, bool UsePkce)
{
    /// <summary>Where the provider sends the browser back; registered with the provider as the redirect URI.</summary>
    public string CallbackPath => $"{ExternalProviders.BasePath}/{Name}/callback";
}

/// <summary>
/// The sign-in providers that are configured: a provider counts only when both its client id
/// and secret are set. Endpoints default to the real ones and can be pointed elsewhere (the tests'
/// local OAuth server).
/// </summary>
public sealed class ExternalProviders
{
    public const string Google = "google";
    public const string Discord = "discord";

    /// <summary>The short-lived cookie that carries a provider's answer from its callback to <c>/complete</c>.</summary>
    public const string CookieScheme = "pingvas.external";

    public const string BasePath = "/api/v1/auth/external";

    private ExternalProviders(IReadOnlyList<ExternalProvider> configured, Uri? publicUrl)
    {
        Configured = configured;
        PublicUrl = publicUrl;
    }

    public IReadOnlyList<ExternalProvider> Configured { get; }

    /// <summary><c>App:PublicUrl</c> when set: the redirect URI is built on it (behind a proxy the request's own host is not the public one).</summary>
    public Uri? PublicUrl { get; }

    public ExternalProvider? Find(string? name) => Configured.FirstOrDefault(p => p.Name == name);

    public static ExternalProviders From(IConfiguration configuration)
    {
        var configured = new List<ExternalProvider>();
        Add(configured, configuration.GetSection("Auth:Google"), Google,
            "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token", "https://openidconnect.googleapis.com/v1/userinfo",
            ["openid", "email", "profile"]);
        Add(configured, configuration.GetSection("Auth:Discord"), Discord,
            "https://discord.com/oauth2/authorize", "https://discord.com/api/oauth2/token", "https://discord.com/api/users/@me",
            ["identify", "email"]);
        var publicUrl = configuration["App:PublicUrl"] is { Length: > 0 } url ? new Uri(url) : null;
        return new ExternalProviders(configured, publicUrl);
    }

    private static void Add(
        List<ExternalProvider> configured, IConfigurationSection section, string name, string authorize, string token, string userInfo, string[] scopes)
    {
        if (string.IsNullOrWhiteSpace(section["ClientId"]) || string.IsNullOrWhiteSpace(section["ClientSecret"]))
        {
            return;
        }

        configured.Add(new ExternalProvider(
            name,
            section["ClientId"]!.Trim(),
            section["ClientSecret"]!.Trim(),
            Endpoint(section, "AuthorizationEndpoint", authorize),
            Endpoint(section, "TokenEndpoint", token),
            Endpoint(section, "UserInformationEndpoint", userInfo),
            scopes,
            section.GetValue("UsePkce", true)));
    }

    private static string Endpoint(IConfigurationSection section, string key, string fallback)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{section.Path}:{key} must be an absolute http(s) URL.");
        }

        return value;
    }
}
