using System.Net.Http.Headers;
using System.Text.Json.Nodes;

using Microsoft.Extensions.Logging;

using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// One InvokeAI node (one GPU). Each image of a job is one queue item, enqueued only when the
/// previous one finished, so the node's own queue stays shallow and Pingvas keeps the scheduling.
/// </summary>
public sealed partial class InvokeAiEngine : IImageEngine, IAsyncDisposable
{
    public const string EngineName = "invokeai";
    public const string Origin = "pingvas";

    private const uint SeedSpan = uint.MaxValue;

    private readonly InvokeAiNodeOptions _node;
    private readonly InvokeAiOptions _options;
    private readonly HttpClient _http;
    private readonly InvokeAiClient _client;
    private readonly InvokeAiEventStream _events;
    private readonly InvokeAiItemFollower _follower;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly InvokeAiLoraCache _loras;
    private volatile InvokeAiNodeModels _models = InvokeAiNodeModels.Empty;

    public InvokeAiEngine(InvokeAiNodeOptions node, InvokeAiOptions options, TimeProvider time, ILogger<InvokeAiEngine> logger)
        : this(node, options, time, logger, eventsUrl: null)
    {
    }

    /// <param name="eventsUrl">Tests only: where the event socket connects instead of the node (to exercise the REST fallback).</param>
    internal InvokeAiEngine(InvokeAiNodeOptions node, InvokeAiOptions options, TimeProvider time, ILogger<InvokeAiEngine> logger, Uri? eventsUrl)
    {
        if (!Uri.TryCreate(node.Url, UriKind.Absolute, out var url))
        {
            throw new ArgumentException($"Engines:InvokeAi node URL '{node.Url}' is not an absolute URL.", nameof(node));
        }
        var baseUrl = new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        _node = node;
        _options = options;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds),
        };
        if (!string.IsNullOrEmpty(node.Token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", node.Token);
        }
        _client = new InvokeAiClient(_http, logger);
        _events = new InvokeAiEventStream(eventsUrl ?? baseUrl, string.IsNullOrEmpty(node.Token) ? null : node.Token, time, logger);
        _follower = new InvokeAiItemFollower(_client, _events, options, time);
        Instance = baseUrl.Authority;
        _loras = new InvokeAiLoraCache(_client, node, options, time, logger, Instance);
    }

    public string Name => EngineName;

    public string Instance { get; }

    public string GpuClass => _node.GpuClass;

    public int? Concurrency => Math.Max(1, _node.Concurrency);

    public IReadOnlyCollection<string> Models => _models.CatalogIds;

    /// <summary>
    /// The ControlNet types and references this node serves now, as <c>{family}:{type}</c> (e.g.
    /// <c>sdxl:canny</c>, <c>flux:reference</c>): for routing, so control jobs need not try nodes that lack them.
    /// </summary>
    public IReadOnlyList<string> AddOnFeatures => _models.AddOnFeatures();

    /// <summary>The users' LoRAs in this node's cache.</summary>
    public IReadOnlyCollection<Guid> HeldLoras => _loras.Held;

    /// <summary>The upscale factors the node has a spandrel model for.</summary>
    public IReadOnlyCollection<int> UpscaleFactors => _models.Upscalers.Keys.ToArray();

    /// <summary>Re-reads the node's installed models; throws <see cref="RetryableEngineException"/> when the node cannot be reached.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var stamp = _loras.Stamp();
        var installed = await _client.GetModelsAsync(cancellationToken);
        _models = InvokeAiNodeModels.Resolve(installed, _options);
        _loras.Refresh(installed, stamp);
        _events.EnsureStarted();
    }

    public async Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        var models = _models;
        using var subscription = _events.Subscribe();
        var uploads = new List<string>();
        InvokeAiLoraLease? lease = null;
        try
        {
            if (job.Workflow is { } workflow)
            {
                return await RunWorkflowAsync(job, workflow, models, subscription, uploads, l => lease = l, onProgress, cancellationToken);
            }
            var request = await PrepareAsync(job, models, uploads, cancellationToken);
            request = await PrepareAddOnsAsync(job, request, models, uploads, l => lease = l, cancellationToken);
            var images = new List<EngineImage>(job.BatchSize);
            var compute = TimeSpan.Zero;
            var modelLoad = TimeSpan.Zero;
            for (var index = 0; index < Math.Max(1, job.BatchSize); index++)
            {
                var seed = (long)((ulong)unchecked(job.Seed + index) % ((ulong)SeedSpan + 1));
                var built = InvokeAiGraphBuilder.Build(request with { Seed = seed });
                var (outcome, pixels) = await RunItemAsync(job, index, built, subscription, onProgress, cancellationToken);
                images.Add(new EngineImage(index, seed, pixels, Metadata(job, index, seed)));
                compute += outcome.Item.ComputeTime;
                modelLoad += outcome.ModelLoadTime;
            }
            return new EngineResult(EngineName, images, compute, modelLoad);
        }
        finally
        {
            lease?.Dispose();
            await DeleteImagesQuietlyAsync(uploads);
        }
    }

    /// <summary>Uploads the job's input images and resolves its models on this node.</summary>
    private async Task<InvokeAiGraphRequest> PrepareAsync(EngineJob job, InvokeAiNodeModels models, List<string> uploads, CancellationToken ct)
    {
        var request = new InvokeAiGraphRequest(job.Kind, job.Prompt, job.NegativePrompt, job.Width, job.Height, job.Steps, job.CfgScale, job.Scheduler, job.Seed)
        {
            Strength = job.Strength,
            UpscaleScale = job.UpscaleScale,
        };
        if (job.Kind == EngineJobKind.Upscale)
        {
            var upscaler = models.Upscalers.GetValueOrDefault(job.UpscaleScale)
                ?? throw new RetryableEngineException("node_missing_model", $"The node at {Instance} has no ×{job.UpscaleScale} upscaler model.");
            request = request with { Upscaler = upscaler };
        }
        else
        {
            request = request with { Model = MainModel(job.Model, models) };
        }
        if (job.Kind != EngineJobKind.TextToImage)
        {
            var init = job.InitImage ?? throw new ArgumentException($"A {job.Kind} job needs an init image.", nameof(job));
            var name = await _client.UploadAsync(init.Bytes, init.ContentType, "user", ct);
            uploads.Add(name);
            request = request with { InitImageName = name, InitWidth = init.Width, InitHeight = init.Height };
        }
        if (job.Kind == EngineJobKind.Inpaint)
        {
            var mask = job.Mask ?? throw new ArgumentException("An inpaint job needs a mask.", nameof(job));
            var name = await _client.UploadAsync(InvokeAiImages.ToInvokeAiMask(mask), "image/png", "mask", ct);
            uploads.Add(name);
            request = request with { MaskImageName = name };
        }
        return request;
    }

    private InvokeAiModelSet MainModel(string catalogId, InvokeAiNodeModels models) =>
        models.Models.GetValueOrDefault(catalogId)
            ?? throw new RetryableEngineException("node_missing_model", $"The node at {Instance} does not have the model for '{catalogId}'.");

    /// <summary>Enqueues one item and follows it to its end; a canceled or lost item does not stay on the node.</summary>
    private async Task<InvokeAiItemOutcome> EnqueueAndFollowAsync(
        EngineJob job, JsonObject graph, string outputNodeId, InvokeAiEventStream.Subscription subscription,
        Func<InvokeAiItemProgress, ValueTask> onProgress, CancellationToken ct)
    {
        var destination = job.JobId.ToString("D");
        var batch = new JsonObject
        {
            ["origin"] = Origin,
            ["destination"] = destination,
            ["graph"] = graph,
            ["runs"] = 1,
        };
        int itemId;
        try
        {
            var enqueued = await _client.EnqueueAsync(batch, ct);
            if (enqueued.Enqueued < enqueued.Requested || enqueued.ItemIds.Count == 0)
            {
                // The node's queue is full (max_queue_size): take back what got in and let another worker try.
                await CancelQuietlyAsync(enqueued.ItemIds, delete: true);
                throw new RetryableEngineException("node_busy", $"The node at {Instance} accepted {enqueued.Enqueued} of {enqueued.Requested} items.");
            }
            itemId = enqueued.ItemIds[0];
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The enqueue may have reached the node without its answer reaching us.
            await CancelByDestinationQuietlyAsync(destination);
            throw;
        }

        try
        {
            return await _follower.FollowAsync(itemId, outputNodeId, subscription, onProgress, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await CancelQuietlyAsync([itemId], delete: false);
            throw;
        }
        catch (RetryableEngineException ex) when (ex.Code != "node_restarted")
        {
            // The node stopped answering: if it comes back, the item must not render for nobody.
            await CancelQuietlyAsync([itemId], delete: false, TimeSpan.FromSeconds(Math.Min(5, _options.RequestTimeoutSeconds)));
            throw;
        }
        catch (InvokeAiNodeErrorException ex)
        {
            _logger.LogError("InvokeAI node {Node} failed item {ItemId} of job {JobId}: {ErrorType}", Instance, itemId, job.JobId, ex.ErrorType);
            await DeleteItemImagesQuietlyAsync(itemId);
            throw;
        }
    }

    /// <summary>The node's PNG as pixels; an unreadable one is the node's fault (retryable).</summary>
    private async Task<RgbaImage> FetchImageAsync(string imageName, CancellationToken ct)
    {
        var png = await _client.GetFullImageAsync(imageName, ct);
        try
        {
            return ImageDecoder.Decode(png);
        }
        catch (InvalidImageException ex)
        {
            throw new RetryableEngineException("node_unavailable", $"The node at {Instance} sent an unreadable image.", ex);
        }
    }

    private async Task<(InvokeAiItemOutcome Outcome, RgbaImage Pixels)> RunItemAsync(
        EngineJob job, int index, InvokeAiBuiltGraph built, InvokeAiEventStream.Subscription subscription,
        Func<EngineProgress, ValueTask> onProgress, CancellationToken ct)
    {
        var progress = new ProgressMapper(job, index, _options.PreviewsPerSecond, _time);
        var graph = built.Graph.ToJson($"pingvas-{job.JobId:D}-{index}");
        var outcome = await EnqueueAndFollowAsync(job, graph, built.OutputNodeId, subscription, p => progress.ReportAsync(p, onProgress), ct);
        var produced = outcome.Item.ResultImageNames().Append(outcome.ImageName).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            return (outcome, await FetchImageAsync(outcome.ImageName, ct));
        }
        finally
        {
            await DeleteImagesQuietlyAsync(produced);
        }
    }

    private async Task CancelQuietlyAsync(IReadOnlyList<int> itemIds, bool delete, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(_options.RequestTimeoutSeconds), _time);
        foreach (var id in itemIds)
        {
            try
            {
                await _client.CancelItemAsync(id, limit.Token);
                if (delete)
                {
                    await _client.DeleteItemAsync(id, limit.Token);
                }
            }
            catch (Exception ex) when (ex is RetryableEngineException or InvokeAiRejectedException or OperationCanceledException)
            {
                _logger.LogWarning("Could not cancel item {ItemId} on InvokeAI node {Node}: {Reason}", id, Instance, ex.Message);
            }
        }
    }

    private async Task CancelByDestinationQuietlyAsync(string destination)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds), _time);
        try
        {
            await _client.CancelByDestinationAsync(destination, limit.Token);
        }
        catch (Exception ex) when (ex is RetryableEngineException or InvokeAiRejectedException or OperationCanceledException)
        {
            _logger.LogWarning("Could not cancel items for {Destination} on InvokeAI node {Node}: {Reason}", destination, Instance, ex.Message);
        }
    }

    private async Task DeleteItemImagesQuietlyAsync(int itemId)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds), _time);
        try
        {
            if (await _client.GetItemAsync(itemId, limit.Token) is { } item)
            {
                await DeleteImagesQuietlyAsync(item.ResultImageNames().ToList());
            }
        }
        catch (Exception ex) when (ex is RetryableEngineException or InvokeAiRejectedException or OperationCanceledException)
        {
            _logger.LogWarning("Could not read item {ItemId} on InvokeAI node {Node} to delete its images: {Reason}", itemId, Instance, ex.Message);
        }
    }

    /// <summary>Our inputs and outputs do not stay on the node; a failure here is logged, never the job's.</summary>
    private async Task DeleteImagesQuietlyAsync(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds), _time);
        try
        {
            await _client.DeleteImagesAsync(names, limit.Token);
        }
        catch (Exception ex) when (ex is RetryableEngineException or InvokeAiRejectedException or OperationCanceledException)
        {
            _logger.LogWarning("Could not delete {Count} images on InvokeAI node {Node}: {Reason}", names.Count, Instance, ex.Message);
        }
    }

    private Dictionary<string, string> Metadata(EngineJob job, int index, long seed)
    {
        var metadata = ImageMetadata.For(job, EngineName, "InvokeAI", index, seed);
        metadata["gpuClass"] = GpuClass;
        AddOnMetadata(job, metadata);
        return metadata;
    }

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        _http.Dispose();
    }
}
