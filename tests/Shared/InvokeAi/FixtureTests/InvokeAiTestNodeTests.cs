using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using Pingvas.Testing.InvokeAi;

namespace Pingvas.Testing.InvokeAi.FixtureTests;

/// <summary>
/// The fixture drives the Node test server end to end over its real ports: the InvokeAI routes the
/// engine uses, the control methods and the record. Compiled into Pingvas.Engines.Tests only.
/// </summary>
public sealed class InvokeAiTestNodeTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Upscale_runs_and_the_record_holds_the_upload_the_enqueue_and_the_item()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { Token = "t0ken", StepDelayMs = 1 });
        using var http = Client(node, "t0ken");

        var version = await http.GetFromJsonAsync<JsonObject>("api/v1/app/version");
        Assert.StartsWith("6.14", version!["version"]!.GetValue<string>(), StringComparison.Ordinal);

        var models = await ListModelsAsync(http, "model_type=spandrel_image_to_image");
        var x2 = models.Single(m => m["name"]!.GetValue<string>() == "RealESRGAN_x2plus");

        var image = await UploadAsync(http, TinyPng(), "image/png");
        var graph = new JsonObject
        {
            ["id"] = "g",
            ["nodes"] = new JsonObject
            {
                ["up"] = new JsonObject
                {
                    ["id"] = "up",
                    ["type"] = "spandrel_image_to_image",
                    ["image"] = new JsonObject { ["image_name"] = image },
                    ["image_to_image_model"] = Identifier(x2),
                    ["use_cache"] = false,
                },
            },
            ["edges"] = new JsonArray(),
        };
        var itemId = await EnqueueAsync(http, graph);
        var item = await SettledAsync(http, itemId);
        Assert.Equal("completed", item["status"]!.GetValue<string>());
        var prepared = item["session"]!["source_prepared_mapping"]!["up"]![0]!.GetValue<string>();
        var output = item["session"]!["results"]![prepared]!["image"]!["image_name"]!.GetValue<string>();
        var png = await http.GetByteArrayAsync($"api/v1/images/i/{output}/full");
        Assert.Equal(2, BigEndian(png, 16)); // IHDR width: 1 px times the x2 model
        Assert.Equal(2, BigEndian(png, 20));

        var record = await node.RecordAsync();
        Assert.Equal(image, Assert.Single(record.Uploads).ImageName);
        var enqueue = Assert.Single(record.Enqueued);
        Assert.Equal(200, enqueue.Status);
        Assert.Equal([itemId], enqueue.ItemIds);
        var recorded = Assert.Single(record.Items);
        Assert.Equal("completed", recorded.Status);
        Assert.Equal([output], recorded.OutputImages);
        Assert.Empty(record.Violations);
    }

    [Fact]
    public async Task Bad_graph_is_422_and_recorded_as_a_violation()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        using var http = Client(node, token: null);
        var graph = new JsonObject
        {
            ["id"] = "g",
            ["nodes"] = new JsonObject { ["n"] = new JsonObject { ["id"] = "n", ["type"] = "no_such_node" } },
            ["edges"] = new JsonArray(),
        };
        using var response = await http.PostAsJsonAsync("api/v1/queue/default/enqueue_batch", Batch(graph));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);

        var violation = Assert.Single((await node.RecordAsync()).Violations);
        Assert.Equal("unknown_node_type", violation.Kind);
        Assert.Equal("n", violation.NodeId);
    }

    [Fact]
    public async Task Control_methods_change_what_the_node_serves()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        using var http = Client(node, token: null);

        await node.SetModelsAsync([new InvokeAiModelConfig("k1", "blake3:1", "Only Model", "sd-1", "main", "checkpoint")]);
        var listed = await ListModelsAsync(http, "model_type=main");
        Assert.Equal("k1", Assert.Single(listed)["key"]!.GetValue<string>());
        Assert.Equal("Only Model", Assert.Single(await node.GetModelsAsync()).Name);

        await node.SetMaintenanceAsync(true);
        using (var busy = await http.PostAsJsonAsync("api/v1/queue/default/enqueue_batch", Batch(new JsonObject { ["id"] = "g", ["nodes"] = new JsonObject(), ["edges"] = new JsonArray() })))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        }

        await node.SetMaintenanceAsync(false);

        await node.ConfigureAsync(new InvokeAiTestNodeOptions { Token = "later" });
        using (var denied = await http.GetAsync("api/v2/models/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        await node.ConfigureAsync(new InvokeAiTestNodeOptions { ClearToken = true });
        Assert.Single(await ListModelsAsync(http, "model_type=main"));

        await node.GoDownAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("api/v1/app/version"));
        await node.ComeBackAsync();
        Assert.NotNull(await http.GetFromJsonAsync<JsonObject>("api/v1/app/version"));

        await node.RestartAsync(TimeSpan.FromMilliseconds(200));
        await node.WaitUntilUpAsync();
        Assert.NotNull(await http.GetFromJsonAsync<JsonObject>("api/v1/app/version"));
        Assert.Equal(1, (await node.RecordAsync()).Restarts);

        await node.FailNextAsync();
        await node.ClearRecordAsync();
        Assert.Empty((await node.RecordAsync()).Enqueued);
    }

    private static HttpClient Client(InvokeAiTestNode node, string? token)
    {
        // No connection reuse: the node drops connections when it goes down.
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = node.BaseUrl, Timeout = Bounded };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static async Task<List<JsonNode>> ListModelsAsync(HttpClient http, string query)
    {
        var body = await http.GetFromJsonAsync<JsonObject>($"api/v2/models/?{query}");
        return [.. body!["models"]!.AsArray().Select(m => m!)];
    }

    private static async Task<string> UploadAsync(HttpClient http, byte[] bytes, string contentType)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", "init.png");
        using var response = await http.PostAsync("api/v1/images/upload?image_category=user&is_intermediate=true", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dto = await response.Content.ReadFromJsonAsync<JsonObject>();
        return dto!["image_name"]!.GetValue<string>();
    }

    private static JsonObject Batch(JsonObject graph) => new()
    {
        ["prepend"] = false,
        ["batch"] = new JsonObject { ["graph"] = graph, ["runs"] = 1, ["origin"] = "pingvas", ["destination"] = "fixture-test" },
    };

    private static async Task<int> EnqueueAsync(HttpClient http, JsonObject graph)
    {
        using var response = await http.PostAsJsonAsync("api/v1/queue/default/enqueue_batch", Batch(graph));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["item_ids"]![0]!.GetValue<int>();
    }

    private static async Task<JsonNode> SettledAsync(HttpClient http, int itemId)
    {
        var deadline = DateTime.UtcNow + Bounded;
        while (true)
        {
            var item = await http.GetFromJsonAsync<JsonObject>($"api/v1/queue/default/i/{itemId}");
            var status = item!["status"]!.GetValue<string>();
            if (status is "completed" or "failed" or "canceled")
            {
                return item;
            }

            Assert.True(DateTime.UtcNow < deadline, $"item {itemId} still {status}");
            await Task.Delay(20);
        }
    }

    private static JsonObject Identifier(JsonNode config) => new()
    {
        ["key"] = config["key"]!.GetValue<string>(),
        ["hash"] = config["hash"]!.GetValue<string>(),
        ["name"] = config["name"]!.GetValue<string>(),
        ["base"] = config["base"]!.GetValue<string>(),
        ["type"] = config["type"]!.GetValue<string>(),
    };

    private static int BigEndian(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];

    /// <summary>A 1×1 RGB PNG.</summary>
    private static byte[] TinyPng() => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC");
}
