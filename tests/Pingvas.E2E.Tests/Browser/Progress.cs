using Microsoft.Playwright;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// Every value any progress bar on the page showed, recorded in the page itself: steps come faster
/// than a test could poll for them, and the bar goes away when the job ends.
/// </summary>
public static class Progress
{
    public static Task RecordAsync(IPage page) => page.EvaluateAsync("""
        () => {
          window.__progress = [];
          const seen = (bar) => window.__progress.push(Number(bar.getAttribute('aria-valuenow')));
          new MutationObserver((records) => {
            for (const r of records) {
              if (r.type === 'attributes' && r.target.getAttribute('role') === 'progressbar') seen(r.target);
              for (const node of r.addedNodes ?? []) {
                if (node.querySelectorAll) node.querySelectorAll('[role=progressbar]').forEach(seen);
              }
            }
          }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
        }
        """);

    public static async Task<int[]> SeenAsync(IPage page) => await page.EvaluateAsync<int[]>("() => window.__progress ?? []");
}
