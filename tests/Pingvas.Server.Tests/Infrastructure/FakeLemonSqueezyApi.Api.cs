using System.Globalization;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>The REST API: checkouts and subscriptions, validated like Lemon Squeezy validates them.</summary>
public sealed partial class FakeLemonSqueezyApi
{
    private static readonly string[] CheckoutAttributes = ["custom_price", "product_options", "checkout_options", "checkout_data", "preview", "test_mode", "expires_at"];

    private static readonly string[] SubscriptionAttributes = ["variant_id", "cancelled", "pause", "trial_ends_at", "billing_anchor", "invoice_immediately", "disable_prorations"];

    private void MapApi(WebApplication web)
    {
        web.MapPost("/v1/checkouts", CreateCheckout);
        web.MapGet("/v1/subscriptions/{id}", (string id) =>
        {
            lock (gate)
            {
                return FindSubscription(id) is { } sub ? Document(Resource("subscriptions", id, SubscriptionAttributesOf(sub))) : NotFound();
            }
        });
        web.MapPatch("/v1/subscriptions/{id}", UpdateSubscription);
        web.MapDelete("/v1/subscriptions/{id}", (string id) =>
        {
            lock (gate)
            {
                if (FindSubscription(id) is not { } sub)
                {
                    return NotFound();
                }

                if (sub.Status == "expired")
                {
                    return Error(422, "Unprocessable Entity", "An expired subscription cannot be cancelled.");
                }

                Cancel(sub);
                return Document(Resource("subscriptions", id, SubscriptionAttributesOf(sub)));
            }
        });
    }

    private IResult CreateCheckout(HttpContext context)
    {
        if (Parse(BodyOf(context)) is not JsonObject { } document || document["data"] is not JsonObject data)
        {
            return Error(422, "Unprocessable Entity", "The data field is required.", "/data");
        }

        if (Str(data["type"]) != "checkouts")
        {
            return Error(409, "Conflict", "The resource type does not match this endpoint.", "/data/type");
        }

        var store = data["relationships"]?["store"]?["data"];
        if (Str(store?["type"]) != "stores" || Str(store?["id"]) != StoreId)
        {
            return Error(422, "Unprocessable Entity", "The selected store is invalid.", "/data/relationships/store");
        }

        var variantRef = data["relationships"]?["variant"]?["data"];
        if (Str(variantRef?["type"]) != "variants" || !variants.TryGetValue(Str(variantRef?["id"]) ?? "", out var variant))
        {
            return Error(422, "Unprocessable Entity", "The selected variant is invalid.", "/data/relationships/variant");
        }

        var attributes = data["attributes"] as JsonObject ?? [];
        if (attributes.Select(a => a.Key).FirstOrDefault(k => !CheckoutAttributes.Contains(k)) is { } unknown)
        {
            return Error(422, "Unprocessable Entity", $"The {unknown} attribute is not allowed.", $"/data/attributes/{unknown}");
        }

        var checkoutData = attributes["checkout_data"] as JsonObject ?? [];
        if (checkoutData["email"] is { } email && !MailAddress.TryCreate(Str(email), out _))
        {
            return Error(422, "Unprocessable Entity", "The checkout data.email must be a valid email address.", "/data/attributes/checkout_data/email");
        }

        if (checkoutData["custom"] is { } custom && custom is not JsonObject)
        {
            return Error(422, "Unprocessable Entity", "The checkout data.custom must be an array.", "/data/attributes/checkout_data/custom");
        }

        var productOptions = attributes["product_options"] as JsonObject ?? [];
        if (productOptions["redirect_url"] is { } redirect
            && !(Uri.TryCreate(Str(redirect), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            return Error(422, "Unprocessable Entity", "The product options.redirect url format is invalid.", "/data/attributes/product_options/redirect_url");
        }

        var checkout = new LsCheckout
        {
            Id = Guid.NewGuid().ToString(),
            Variant = variant,
            CheckoutData = (JsonObject)checkoutData.DeepClone(),
            ProductOptions = (JsonObject)productOptions.DeepClone(),
            CreatedAt = Now,
        };
        lock (gate)
        {
            checkouts[checkout.Id] = checkout;
        }

        return Document(Resource("checkouts", checkout.Id, CheckoutAttributesOf(checkout)), 201);
    }

    private IResult UpdateSubscription(string id, HttpContext context)
    {
        if (Parse(BodyOf(context)) is not JsonObject { } document || document["data"] is not JsonObject data)
        {
            return Error(422, "Unprocessable Entity", "The data field is required.", "/data");
        }

        if (Str(data["type"]) != "subscriptions" || Str(data["id"]) != id)
        {
            return Error(409, "Conflict", "The resource type or id does not match this endpoint.", "/data");
        }

        var attributes = data["attributes"] as JsonObject ?? [];
        if (attributes.Select(a => a.Key).FirstOrDefault(k => !SubscriptionAttributes.Contains(k)) is { } unknown)
        {
            return Error(422, "Unprocessable Entity", $"The {unknown} attribute is not allowed.", $"/data/attributes/{unknown}");
        }

        lock (gate)
        {
            if (FindSubscription(id) is not { } sub)
            {
                return NotFound();
            }

            if (sub.Status == "expired")
            {
                return Error(422, "Unprocessable Entity", "An expired subscription cannot be updated.");
            }

            FakeLsVariant? newVariant = null;
            if (attributes["variant_id"] is { } variantId)
            {
                var number = variantId is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n.ToString(CultureInfo.InvariantCulture) : null;
                if (number is null || !variants.TryGetValue(number, out newVariant) || !newVariant.IsSubscription)
                {
                    return Error(422, "Unprocessable Entity", "The selected variant id is invalid.", "/data/attributes/variant_id");
                }
            }

            bool? cancelled = null;
            if (attributes["cancelled"] is { } flag)
            {
                if (flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return Error(422, "Unprocessable Entity", "The cancelled field must be true or false.", "/data/attributes/cancelled");
                }

                cancelled = flag.GetValue<bool>();
            }

            if (newVariant is not null && newVariant.Id != sub.Variant.Id)
            {
                sub.Variant = newVariant;
                sub.UpdatedAt = Now;
                Enqueue(SubscriptionEvents(sub, "subscription_updated"));
            }

            if (cancelled == true && !sub.Cancelled)
            {
                Cancel(sub);
            }
            else if (cancelled == false && sub.Cancelled)
            {
                sub.Cancelled = false;
                sub.Status = "active";
                sub.EndsAt = null;
                sub.UpdatedAt = Now;
                Enqueue(SubscriptionEvents(sub, "subscription_resumed", "subscription_updated"));
            }

            return Document(Resource("subscriptions", id, SubscriptionAttributesOf(sub)));
        }
    }

    /// <summary>Lemon Squeezy cancels at the end of the period: cancelled until <c>ends_at</c>, then expired.</summary>
    private void Cancel(LsSubscription sub)
    {
        if (sub.Cancelled)
        {
            return;
        }

        sub.Cancelled = true;
        sub.Status = "cancelled";
        sub.EndsAt = sub.RenewsAt;
        sub.UpdatedAt = Now;
        Enqueue(SubscriptionEvents(sub, "subscription_cancelled", "subscription_updated"));
    }

    private LsSubscription? FindSubscription(string id) =>
        int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? subscriptions.GetValueOrDefault(n) : null;

    private static IResult NotFound() => Error(404, "Not Found", "The requested resource could not be found.");

    private static JsonNode? Parse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private JsonObject CheckoutAttributesOf(LsCheckout checkout) => new()
    {
        ["store_id"] = int.Parse(StoreId, CultureInfo.InvariantCulture),
        ["variant_id"] = int.Parse(checkout.Variant.Id, CultureInfo.InvariantCulture),
        ["custom_price"] = null,
        ["product_options"] = new JsonObject
        {
            ["name"] = "",
            ["description"] = "",
            ["media"] = new JsonArray(),
            ["redirect_url"] = Str(checkout.ProductOptions["redirect_url"]) ?? "",
            ["receipt_button_text"] = "",
            ["receipt_link_url"] = "",
            ["receipt_thank_you_note"] = "",
            ["enabled_variants"] = new JsonArray(),
        },
        ["checkout_options"] = new JsonObject
        {
            ["embed"] = false,
            ["media"] = true,
            ["logo"] = true,
            ["desc"] = true,
            ["discount"] = true,
            ["skip_trial"] = false,
            ["subscription_preview"] = true,
            ["button_color"] = "#7047EB",
        },
        ["checkout_data"] = new JsonObject
        {
            ["email"] = Str(checkout.CheckoutData["email"]) ?? "",
            ["name"] = Str(checkout.CheckoutData["name"]) ?? "",
            ["billing_address"] = new JsonArray(),
            ["tax_number"] = "",
            ["discount_code"] = "",
            ["custom"] = checkout.CheckoutData["custom"]?.DeepClone() ?? new JsonArray(),
            ["variant_quantities"] = new JsonArray(),
        },
        ["expires_at"] = null,
        ["created_at"] = Stamp(checkout.CreatedAt),
        ["updated_at"] = Stamp(checkout.CreatedAt),
        ["test_mode"] = true,
        ["url"] = $"{BaseUrl}checkout/custom/{checkout.Id}?signature={PageSignature(checkout.Id)}",
    };
}
