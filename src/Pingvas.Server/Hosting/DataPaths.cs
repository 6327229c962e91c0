namespace Pingvas.Server.Hosting;

/// <summary>The data folder of the embedded default: SQLite file, local object store, generated secrets.</summary>
public sealed record DataPaths(string Root)
{
    public string Database => Path.Combine(Root, "pingvas.db");

    public string Objects => Path.Combine(Root, "objects");

    public string Secrets => Path.Combine(Root, "secrets");

    public static DataPaths From(IConfiguration configuration)
    {
        var root = Path.GetFullPath(configuration["Data:Path"] ?? "data");
        Directory.CreateDirectory(root);
        return new DataPaths(root);
    }
}
