namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>The document's description: a getting-started guide kept as Markdown next to this file.</summary>
public static class OpenApiGuide
{
    public static readonly string Markdown = Read();

    private static string Read()
    {
        using var stream = typeof(OpenApiGuide).Assembly.GetManifestResourceStream("Pingvas.Server.Hosting.OpenApi.OpenApiGuide.md")
            ?? throw new InvalidOperationException("OpenApiGuide.md is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
