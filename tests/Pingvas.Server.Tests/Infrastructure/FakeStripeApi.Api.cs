using System.Net;
using System.Net.Mail;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>What a completed Stripe checkout created.</summary>
public sealed record FakeStripePurchase(string SessionId, string Customer, string? SubscriptionId, Uri? RedirectedTo);

/// <summary>Checkout Sessions, subscriptions, billing portal sessions, the hosted pages and webhook delivery.</summary>
public sealed partial class FakeStripeApi
{
    /// <summary>Does what the hosted page's Pay button does; its webhooks are sent before this returns.</summary>
    public async Task<FakeStripePurchase> CompleteCheckoutAsync(string sessionId)
    {
        List<(string Type, JsonObject Object)> events = [];
        StripeSession session;
        StripeSubscription? sub = null;
        lock (gate)
        {
            session = sessions.GetValueOrDefault(sessionId) ?? throw new InvalidOperationException($"No checkout session {sessionId}.");
            if (session.Status != "open")
            {
                throw new InvalidOperationException($"Checkout session {sessionId} is {session.Status}.");
            }

            session.Status = "complete";
            session.Customer = session.Form.GetValueOrDefault("customer") ?? "cus_" + RandomId(14);
            customers.Add(session.Customer);
            if (session.Mode == "subscription")
            {
                var metadata = new JsonObject();
                foreach (var (key, value) in session.Form.Where(f => f.Key.StartsWith("subscription_data[metadata][", StringComparison.Ordinal)))
                {
                    metadata[key["subscription_data[metadata][".Length..^1]] = value;
                }

                sub = new StripeSubscription
                {
                    Id = "sub_" + RandomId(24),
                    ItemId = "si_" + RandomId(14),
                    Customer = session.Customer,
                    Price = session.Price,
                    Metadata = metadata,
                    Created = Unix,
                    PeriodStart = Unix,
                    PeriodEnd = session.Price.Interval == "year" ? Now.AddYears(1).ToUnixTimeSeconds() : Now.AddMonths(1).ToUnixTimeSeconds(),
                };
                subscriptions[sub.Id] = sub;
                session.Subscription = sub.Id;
            }
            else
            {
                session.PaymentIntent = "pi_" + RandomId(24);
            }

            events.Add(("checkout.session.completed", SessionObject(session)));
            if (sub is not null)
            {
                events.Add(("invoice.paid", InvoiceObject(sub, "subscription_create")));
            }
        }

        foreach (var (type, data) in events)
        {
            await DeliverAsync(type, data);
        }

        var success = session.Form.GetValueOrDefault("success_url")?.Replace("{CHECKOUT_SESSION_ID}", session.Id, StringComparison.Ordinal);
        return new FakeStripePurchase(session.Id, session.Customer!, sub?.Id, success is null ? null : new Uri(success));
    }

    public Task<FakeStripePurchase> CompleteCheckoutAsync(Uri checkoutUrl) => CompleteCheckoutAsync(checkoutUrl.Segments[^1].TrimEnd('/'));

    private void MapApi(WebApplication web)
    {
        web.MapPost("/v1/checkout/sessions", CreateSession);
        web.MapGet("/v1/subscriptions/{id}", (string id) =>
        {
            lock (gate)
            {
                return subscriptions.TryGetValue(id, out var sub) ? Json(SubscriptionObject(sub)) : NoSuch("subscription", id, "id");
            }
        });
        web.MapPost("/v1/subscriptions/{id}", UpdateSubscription);
        web.MapPost("/v1/billing_portal/sessions", (HttpContext context) =>
        {
            var form = FormOf(context);
            if (Unknown(form, @"customer|return_url|locale|configuration") is { } unknown)
            {
                return unknown;
            }

            if (!form.TryGetValue("customer", out var customer))
            {
                return Missing("customer");
            }

            lock (gate)
            {
                if (!customers.Contains(customer))
                {
                    return NoSuch("customer", customer, "customer");
                }
            }

            if (form.TryGetValue("return_url", out var back) && !IsUrl(back))
            {
                return Error(400, "invalid_request_error", "url_invalid", "Not a valid URL", "return_url");
            }

            var id = "bps_" + RandomId(24);
            return Json(new JsonObject
            {
                ["id"] = id,
                ["object"] = "billing_portal.session",
                ["configuration"] = "bpc_" + RandomId(24),
                ["created"] = Unix,
                ["customer"] = customer,
                ["livemode"] = false,
                ["locale"] = null,
                ["on_behalf_of"] = null,
                ["return_url"] = back,
                ["url"] = $"{BaseUrl}p/session/{id}",
            });
        });
    }

    private IResult CreateSession(HttpContext context)
    {
        var form = FormOf(context);
        const string allowed = @"mode|success_url|cancel_url|client_reference_id|customer_email|customer|customer_creation|allow_promotion_codes|locale"
            + @"|line_items\[0\]\[(price|quantity)\]|metadata\[[^\[\]]+\]|subscription_data\[metadata\]\[[^\[\]]+\]|payment_intent_data\[metadata\]\[[^\[\]]+\]";
        if (Unknown(form, allowed) is { } unknown)
        {
            return unknown;
        }

        if (!form.TryGetValue("mode", out var mode))
        {
            return Missing("mode");
        }

        if (mode is not ("payment" or "subscription"))
        {
            return Error(400, "invalid_request_error", null, $"Invalid mode: must be one of payment, setup, or subscription", "mode");
        }

        if (!form.TryGetValue("line_items[0][price]", out var priceId))
        {
            return Missing("line_items");
        }

        if (!prices.TryGetValue(priceId, out var price))
        {
            return NoSuch("price", priceId, "line_items[0][price]");
        }

        if (!int.TryParse(form.GetValueOrDefault("line_items[0][quantity]", "1"), out var quantity) || quantity < 1)
        {
            return Error(400, "invalid_request_error", "parameter_invalid_integer", "Invalid positive integer", "line_items[0][quantity]");
        }

        if (mode == "subscription" && !price.IsRecurring)
        {
            return Error(400, "invalid_request_error", null, "You must provide at least one recurring price in `subscription` mode when using prices.", "line_items[0][price]");
        }

        if (mode == "payment" && price.IsRecurring)
        {
            return Error(400, "invalid_request_error", null,
                "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", "line_items[0][price]");
        }

        if (mode == "payment" && form.Keys.FirstOrDefault(k => k.StartsWith("subscription_data", StringComparison.Ordinal)) is { } subscriptionData)
        {
            return Error(400, "invalid_request_error", null, "You can not pass `subscription_data` in `payment` mode.", subscriptionData);
        }

        if (mode == "subscription" && form.Keys.FirstOrDefault(k => k.StartsWith("payment_intent_data", StringComparison.Ordinal)) is { } intentData)
        {
            return Error(400, "invalid_request_error", null, "You can not pass `payment_intent_data` in `subscription` mode.", intentData);
        }

        foreach (var field in new[] { "success_url", "cancel_url" })
        {
            if (form.TryGetValue(field, out var url) && !IsUrl(url.Replace("{CHECKOUT_SESSION_ID}", "x", StringComparison.Ordinal)))
            {
                return Error(400, "invalid_request_error", "url_invalid", "Not a valid URL", field);
            }
        }

        if (form.TryGetValue("client_reference_id", out var reference) && reference.Length > 200)
        {
            return Error(400, "invalid_request_error", "string_length_exceeded", "client_reference_id is too long (maximum 200 characters)", "client_reference_id");
        }

        if (form.TryGetValue("customer_email", out var email) && !MailAddress.TryCreate(email, out _))
        {
            return Error(400, "invalid_request_error", "email_invalid", "Invalid email address: " + email, "customer_email");
        }

        if (form.FirstOrDefault(f => f.Key.Contains("metadata[", StringComparison.Ordinal) && (f.Key.Split("metadata[")[1].Length - 1 > 40 || f.Value.Length > 500)) is { Key: not null } tooLong)
        {
            return Error(400, "invalid_request_error", null, "Metadata keys are limited to 40 characters and values to 500.", tooLong.Key);
        }

        var session = new StripeSession { Id = "cs_test_" + RandomId(58), Mode = mode, Price = price, Form = form, Created = Unix };
        lock (gate)
        {
            sessions[session.Id] = session;
            return Json(SessionObject(session));
        }
    }

    private IResult UpdateSubscription(string id, HttpContext context)
    {
        var form = FormOf(context);
        if (Unknown(form, @"cancel_at_period_end|proration_behavior|items\[0\]\[(id|price|quantity)\]|metadata\[[^\[\]]+\]") is { } unknown)
        {
            return unknown;
        }

        if (form.TryGetValue("proration_behavior", out var proration) && proration is not ("create_prorations" or "none" or "always_invoice"))
        {
            return Error(400, "invalid_request_error", null, "Invalid proration_behavior: must be one of always_invoice, create_prorations, or none", "proration_behavior");
        }

        if (form.TryGetValue("cancel_at_period_end", out var cancel) && cancel is not ("true" or "false"))
        {
            return Error(400, "invalid_request_error", "parameter_invalid_boolean", "Invalid boolean: " + cancel, "cancel_at_period_end");
        }

        lock (gate)
        {
            if (!subscriptions.TryGetValue(id, out var sub))
            {
                return NoSuch("subscription", id, "id");
            }

            if (sub.Status == "canceled")
            {
                return Error(400, "invalid_request_error", null, "A canceled subscription can only update its cancellation_details and metadata.");
            }

            var previous = new JsonObject();
            if (form.TryGetValue("items[0][price]", out var priceId))
            {
                if (form.GetValueOrDefault("items[0][id]") != sub.ItemId)
                {
                    return Error(400, "invalid_request_error", "resource_missing", $"Invalid subscription item: '{form.GetValueOrDefault("items[0][id]")}'", "items[0][id]");
                }

                if (!prices.TryGetValue(priceId, out var price) || !price.IsRecurring)
                {
                    return NoSuch("price", priceId, "items[0][price]");
                }

                previous["items"] = SubscriptionObject(sub)["items"]!.DeepClone();
                sub.Price = price;
            }

            if (cancel is not null && (cancel == "true") != sub.CancelAtPeriodEnd)
            {
                previous["cancel_at_period_end"] = sub.CancelAtPeriodEnd;
                sub.CancelAtPeriodEnd = cancel == "true";
            }

            foreach (var (key, value) in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
            {
                sub.Metadata[key["metadata[".Length..^1]] = value;
            }

            var updated = SubscriptionObject(sub);
            if (previous.Count > 0)
            {
                var before = pendingWebhooks;
                pendingWebhooks = Task.Run(async () =>
                {
                    await before;
                    await DeliverAsync("customer.subscription.updated", (JsonObject)updated.DeepClone(), previous);
                });
            }

            return Json(updated);
        }
    }

    private void MapHostedPages(WebApplication web)
    {
        web.MapGet("/c/pay/{id}", (string id) =>
        {
            lock (gate)
            {
                if (!sessions.TryGetValue(id, out var session))
                {
                    return Results.Content("<!doctype html><title>Not found</title><h1>Something went wrong</h1>", "text/html", Encoding.UTF8, 404);
                }

                var price = $"${session.Price.UnitAmount / 100m:0.00}" + (session.Price.Interval is { } i ? $" per {i}" : "");
                var action = session.Status == "open"
                    ? $"""<form method="post" action="/c/pay/{id}"><button type="submit">Pay</button></form>"""
                    : "<p>This checkout session is complete.</p>";
                return Results.Content($"""
                    <!doctype html><html><head><meta charset="utf-8"><title>Checkout – {WebUtility.HtmlEncode(session.Price.ProductName)}</title></head>
                    <body><h1>{WebUtility.HtmlEncode(session.Price.ProductName)}</h1><p class="price">{WebUtility.HtmlEncode(price)}</p>{action}</body></html>
                    """, "text/html", Encoding.UTF8);
            }
        });
        web.MapPost("/c/pay/{id}", async (string id) =>
        {
            bool open;
            lock (gate)
            {
                open = sessions.TryGetValue(id, out var s) && s.Status == "open";
            }

            if (!open)
            {
                return Results.Content("<!doctype html><title>Expired</title><h1>This checkout session is no longer open.</h1>", "text/html", Encoding.UTF8, 410);
            }

            var purchase = await CompleteCheckoutAsync(id);
            return purchase.RedirectedTo is { } to
                ? Results.Redirect(to.AbsoluteUri)
                : Results.Content("<!doctype html><title>Thanks</title><h1>Thanks for your payment!</h1>", "text/html", Encoding.UTF8);
        });
        web.MapGet("/p/session/{id}", () =>
            Results.Content("<!doctype html><title>Billing portal</title><h1>Manage your subscription</h1>", "text/html", Encoding.UTF8));
    }

    private static IResult? Unknown(Dictionary<string, string> form, string allowed)
    {
        var pattern = new Regex($"^(?:{allowed})$");
        return form.Keys.FirstOrDefault(k => !pattern.IsMatch(k)) is { } key
            ? Error(400, "invalid_request_error", "parameter_unknown", $"Received unknown parameter: {key}", key)
            : null;
    }

    private static IResult Missing(string param) =>
        Error(400, "invalid_request_error", "parameter_missing", $"Missing required param: {param}.", param);

    /// <summary>Stripe answers 404 for a missing object in the path, 400 for one named by a parameter.</summary>
    private static IResult NoSuch(string what, string id, string param) =>
        Error(param == "id" ? 404 : 400, "invalid_request_error", "resource_missing", $"No such {what}: '{id}'", param);

    private static bool IsUrl(string text) => Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
}
