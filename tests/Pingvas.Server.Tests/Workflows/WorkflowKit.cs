using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Workflows;

/// <summary>The shared workflow fixtures (tests/Shared/Workflows) and the calls workflow tests repeat.</summary>
internal static class WorkflowKit
{
    public static JsonNode Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "Shared", "Workflows", name);
            if (File.Exists(path))
            {
                return JsonNode.Parse(File.ReadAllText(path))!;
            }
        }

        throw new FileNotFoundException(name);
    }

    /// <summary>The text-to-image editor workflow with a change made to it first.</summary>
    public static JsonNode Txt2Img(Action<JsonObject>? change = null)
    {
        var doc = Fixture("sd15-txt2img.workflow.json").AsObject();
        change?.Invoke(doc);
        return doc;
    }

    /// <summary>The editor node with <paramref name="id"/>'s data.</summary>
    public static JsonObject Data(JsonObject workflow, string id) =>
        workflow["nodes"]!.AsArray().OfType<JsonObject>().Single(n => n["data"]?["id"]?.GetValue<string>() == id)["data"]!.AsObject();

    public static Task<HttpResponseMessage> RunAsync(this TestUser user, object body) =>
        user.Client.PostAsJsonAsync("/api/v1/generations", body);

    /// <summary>What a refused submit must leave as it was: balance, ledger, and no job of the user.</summary>
    public static async Task<(int Balance, int Ledger, int Jobs)> StateAsync(this PingvasServer server, TestUser user) =>
        ((await user.MeAsync()).Credits.Balance, (await user.LedgerAsync()).Count,
            await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
