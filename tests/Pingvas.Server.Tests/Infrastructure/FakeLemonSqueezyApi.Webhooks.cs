using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>What a completed checkout created: the order, the subscription (plans only) and where the buyer was sent.</summary>
public sealed record FakeLsPurchase(string OrderId, string? SubscriptionId, Uri? RedirectedTo);

/// <summary>The hosted checkout and portal pages, the purchase and lifecycle events, and webhook delivery.</summary>
public sealed partial class FakeLemonSqueezyApi
{
    private Task pendingWebhooks = Task.CompletedTask;

    /// <summary>Does what the Pay button does: the order (and subscription) and their webhooks, sent before this returns.</summary>
    public Task<FakeLsPurchase> CompleteCheckoutAsync(Uri checkoutUrl) => CompleteCheckoutAsync(checkoutUrl.Segments[^1].TrimEnd('/'));

    public async Task<FakeLsPurchase> CompleteCheckoutAsync(string checkoutId)
    {
        List<(string Event, string Body)> events = [];
        LsOrder order;
        LsSubscription? sub = null;
        LsCheckout checkout;
        lock (gate)
        {
            checkout = checkouts.GetValueOrDefault(checkoutId) ?? throw new InvalidOperationException($"No checkout {checkoutId}.");
            if (checkout.OrderId is not null)
            {
                throw new InvalidOperationException($"Checkout {checkoutId} is already paid.");
            }

            var email = Str(checkout.CheckoutData["email"]) ?? "buyer@example.com";
            var custom = checkout.CheckoutData["custom"] as JsonObject ?? [];
            order = new LsOrder
            {
                Id = NextId(),
                ItemId = NextId(),
                CustomerId = CustomerIdFor(email),
                Variant = checkout.Variant,
                UserName = Str(checkout.CheckoutData["name"]) ?? "Buyer",
                UserEmail = email,
                Custom = (JsonObject)custom.DeepClone(),
                CreatedAt = Now,
                UpdatedAt = Now,
            };
            orders[order.Id] = order;
            checkout.OrderId = order.Id.ToString(CultureInfo.InvariantCulture);
            events.Add(Event("order_created", order.Custom, ResourceObject("orders", $"{order.Id}", OrderAttributesOf(order))));
            if (checkout.Variant.IsSubscription)
            {
                sub = new LsSubscription { Id = NextId(), Order = order, Variant = checkout.Variant, RenewsAt = Advance(Now, checkout.Variant), CreatedAt = Now, UpdatedAt = Now };
                subscriptions[sub.Id] = sub;
                events.AddRange(SubscriptionEvents(sub, "subscription_created"));
                events.Add(InvoiceEvent(sub, "subscription_payment_success", "initial", "paid"));
            }
        }

        await DeliverAllAsync(events);
        var redirect = Str(checkout.ProductOptions["redirect_url"]);
        return new FakeLsPurchase(order.Id.ToString(CultureInfo.InvariantCulture), sub?.Id.ToString(CultureInfo.InvariantCulture),
            string.IsNullOrEmpty(redirect) ? null : new Uri(redirect));
    }

    /// <summary>A renewal payment: the period moves on one interval; subscription_payment_success (renewal) and subscription_updated.</summary>
    public Task RenewAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        sub.RenewsAt = Advance(sub.RenewsAt, sub.Variant);
        sub.Status = "active";
        return [InvoiceEvent(sub, "subscription_payment_success", "renewal", "paid"), .. SubscriptionEvents(sub, "subscription_updated")];
    });

    /// <summary>A renewal payment that failed: past_due; subscription_payment_failed and subscription_updated.</summary>
    public Task FailPaymentAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        sub.Status = "past_due";
        return [InvoiceEvent(sub, "subscription_payment_failed", "renewal", "pending"), .. SubscriptionEvents(sub, "subscription_updated")];
    });

    /// <summary>A retried payment went through: active again, the period moves on; subscription_payment_recovered and subscription_updated.</summary>
    public Task RecoverPaymentAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        sub.Status = "active";
        sub.RenewsAt = Advance(sub.RenewsAt, sub.Variant);
        return [InvoiceEvent(sub, "subscription_payment_recovered", "renewal", "paid"), .. SubscriptionEvents(sub, "subscription_updated")];
    });

    /// <summary>The end: expired (after a cancellation's ends_at, or unpaid dunning); subscription_expired and subscription_updated.</summary>
    public Task ExpireAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        sub.Status = "expired";
        sub.EndsAt ??= Now;
        return SubscriptionEvents(sub, "subscription_expired", "subscription_updated");
    });

    /// <summary>A full refund of an order: order_refunded.</summary>
    public async Task RefundOrderAsync(string orderId)
    {
        (string, string) refunded;
        lock (gate)
        {
            var order = orders[int.Parse(orderId, CultureInfo.InvariantCulture)];
            order.Refunded = true;
            order.RefundedAt = Now;
            order.UpdatedAt = Now;
            refunded = Event("order_refunded", order.Custom, ResourceObject("orders", orderId, OrderAttributesOf(order)));
        }

        await DeliverAllAsync([refunded]);
    }

    /// <summary>Sends a recorded webhook again, byte for byte (a provider retry or a replay).</summary>
    public Task<FakeWebhookDelivery> ResendAsync(FakeWebhookDelivery delivery) => DeliverAsync(delivery.EventName, delivery.Body);

    /// <summary>Waits until the webhooks that API calls (cancel, resume, plan change) triggered have been sent.</summary>
    public Task WebhooksSentAsync()
    {
        lock (gate)
        {
            return pendingWebhooks;
        }
    }

    /// <summary>The subscription as <c>GET /v1/subscriptions/{id}</c> shows its attributes.</summary>
    public JsonObject Subscription(string subscriptionId)
    {
        lock (gate)
        {
            return SubscriptionAttributesOf(FindSubscription(subscriptionId) ?? throw new InvalidOperationException($"No subscription {subscriptionId}."));
        }
    }

    private async Task LifecycleAsync(string subscriptionId, Func<LsSubscription, List<(string, string)>> change)
    {
        List<(string, string)> events;
        lock (gate)
        {
            var sub = FindSubscription(subscriptionId) ?? throw new InvalidOperationException($"No subscription {subscriptionId}.");
            sub.UpdatedAt = Now;
            events = change(sub);
        }

        await DeliverAllAsync(events);
    }

    private void MapHostedPages(WebApplication web)
    {
        web.MapGet("/checkout/custom/{id}", (string id, string? signature) =>
        {
            lock (gate)
            {
                if (signature != PageSignature(id) || !checkouts.TryGetValue(id, out var checkout))
                {
                    return Results.Content("<!doctype html><title>Not found</title><h1>This checkout does not exist.</h1>", "text/html", Encoding.UTF8, 404);
                }

                var v = checkout.Variant;
                var price = $"${v.PriceCents / 100m:0.00}" + (v.Interval is { } i ? $" / {i}" : "");
                var body = checkout.OrderId is not null
                    ? "<p>This checkout is already paid.</p>"
                    : $"""<form method="post" action="/checkout/custom/{id}?signature={signature}"><button type="submit">Pay</button></form>""";
                return Results.Content($"""
                    <!doctype html><html><head><meta charset="utf-8"><title>Checkout – {Html(v.ProductName)}</title></head>
                    <body><h1>{Html(v.ProductName)} – {Html(v.Name)}</h1><p class="price">{Html(price)}</p>
                    <p class="email">{Html(Str(checkout.CheckoutData["email"]) ?? "")}</p>{body}</body></html>
                    """, "text/html", Encoding.UTF8);
            }
        });
        web.MapPost("/checkout/custom/{id}", async (string id, string? signature) =>
        {
            bool known;
            lock (gate)
            {
                known = signature == PageSignature(id) && checkouts.TryGetValue(id, out var c) && c.OrderId is null;
            }

            if (!known)
            {
                return Results.Content("<!doctype html><title>Gone</title><h1>This checkout cannot be paid.</h1>", "text/html", Encoding.UTF8, 410);
            }

            var purchase = await CompleteCheckoutAsync(id);
            return purchase.RedirectedTo is { } to
                ? Results.Redirect(to.AbsoluteUri)
                : Results.Content("<!doctype html><title>Thanks</title><h1>Thanks for your order!</h1>", "text/html", Encoding.UTF8);
        });
        web.MapGet("/billing", () =>
            Results.Content("<!doctype html><title>Customer portal</title><h1>Manage your subscription</h1>", "text/html", Encoding.UTF8));
    }

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private readonly Dictionary<string, int> customers = [];

    private int CustomerIdFor(string email)
    {
        if (!customers.TryGetValue(email, out var id))
        {
            customers[email] = id = NextId();
        }

        return id;
    }

    private static DateTimeOffset Advance(DateTimeOffset from, FakeLsVariant variant) =>
        variant.Interval == "year" ? from.AddYears(1) : from.AddMonths(1);

    private (string Event, string Body) Event(string eventName, JsonObject custom, JsonObject data)
    {
        var meta = new JsonObject { ["test_mode"] = true, ["event_name"] = eventName };
        if (custom.Count > 0)
        {
            meta["custom_data"] = custom.DeepClone();
        }

        meta["webhook_id"] = WebhookId;
        return (eventName, new JsonObject { ["meta"] = meta, ["data"] = data }.ToJsonString());
    }

    private List<(string, string)> SubscriptionEvents(LsSubscription sub, params string[] names) =>
        [.. names.Select(name => Event(name, sub.Order.Custom, ResourceObject("subscriptions", $"{sub.Id}", SubscriptionAttributesOf(sub))))];

    /// <summary>Events an API call triggered go out after the call answers, in order, as Lemon Squeezy's queue sends them.</summary>
    private void Enqueue(List<(string Event, string Body)> events)
    {
        var previous = pendingWebhooks;
        pendingWebhooks = Task.Run(async () =>
        {
            await previous;
            await DeliverAllAsync(events);
        });
    }

    private async Task DeliverAllAsync(List<(string Event, string Body)> events)
    {
        foreach (var (name, body) in events)
        {
            await DeliverAsync(name, body);
        }
    }

    private async Task<FakeWebhookDelivery> DeliverAsync(string eventName, string body)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "application/json",
            ["X-Event-Name"] = eventName,
            ["X-Signature"] = Sign(body),
        };
        int? status = null;
        if (WebhookUrl is { } url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Event-Name", eventName);
            request.Headers.Add("X-Signature", headers["X-Signature"]);
            try
            {
                using var response = await webhookClient.SendAsync(request);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }
        }

        var delivery = new FakeWebhookDelivery(eventName, body, headers, status);
        deliveries.Enqueue(delivery);
        return delivery;
    }
}
