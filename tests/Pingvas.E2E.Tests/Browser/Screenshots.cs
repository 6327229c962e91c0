using Microsoft.Playwright;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// Full-page screenshots for people to look at: artifacts/screenshots/ at the repository's root
/// (ignored by git), or <c>PINGVAS_SCREENSHOTS</c>.
/// </summary>
public static class Screenshots
{
    public static readonly string Folder = Environment.GetEnvironmentVariable("PINGVAS_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public static async Task SaveAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        // Animations off and the caret hidden: the same page gives the same picture.
        await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, name + ".png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
    }

    /// <summary>The repository's root (where Pingvas.slnx is), or the temp folder outside a checkout.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pingvas.slnx")))
            {
                return dir.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
