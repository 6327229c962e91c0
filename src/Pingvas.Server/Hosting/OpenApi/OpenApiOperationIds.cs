using System.Globalization;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// lowerCamelCase verb+noun operation ids. An endpoint's name (<c>.WithName</c>) wins; the SDKs'
/// fixed ids are set that way. Then the chosen ids below; others are derived from the method and path, e.g.
/// <c>GET /api/v1/folders</c> → <c>listFolders</c>, <c>POST /api/v1/images/{id}/restore</c> → <c>restoreImage</c>.
/// </summary>
public static class OpenApiOperationIds
{
    /// <summary>Where the derived id reads badly (<c>passwordMe</c>, <c>checkoutBilling</c>): the id a developer would look for. Public contract: never rename one.</summary>
    private static readonly Dictionary<string, string> Chosen = new(StringComparer.Ordinal)
    {
        ["POST /api/v1/auth/register"] = "register",
        ["POST /api/v1/auth/login"] = "login",
        ["POST /api/v1/auth/refresh"] = "refreshToken",
        ["POST /api/v1/auth/logout"] = "logout",
        ["POST /api/v1/auth/login/totp"] = "loginWithTotp",
        ["POST /api/v1/auth/logout-all"] = "logoutEverywhere",
        ["POST /api/v1/auth/verify-email"] = "verifyEmail",
        ["POST /api/v1/auth/password-reset"] = "requestPasswordReset",
        ["POST /api/v1/auth/password-reset/confirm"] = "confirmPasswordReset",
        ["GET /api/v1/auth/external/{provider}"] = "startExternalSignIn",
        ["GET /api/v1/auth/external/complete"] = "completeExternalSignIn",
        ["POST /api/v1/auth/external/exchange"] = "exchangeExternalSignIn",
        ["POST /api/v1/me/password"] = "changePassword",
        ["POST /api/v1/me/email"] = "changeEmail",
        ["POST /api/v1/me/verify-email/resend"] = "resendVerificationEmail",
        ["POST /api/v1/me/totp/enroll"] = "enrollTotp",
        ["POST /api/v1/me/totp/confirm"] = "confirmTotp",
        ["GET /api/v1/me/storage"] = "getStorage",
        ["GET /api/v1/me/retention"] = "getRetention",
        ["PUT /api/v1/me/retention"] = "updateRetention",
        ["GET /api/v1/me/retention/preview"] = "previewRetention",
        ["GET /api/v1/me/notifications"] = "getNotificationSettings",
        ["PUT /api/v1/me/notifications"] = "updateNotificationSettings",
        ["POST /api/v1/me/export"] = "createExport",
        ["GET /api/v1/me/export/{id}"] = "getExport",
        ["GET /api/v1/me/exports"] = "listExports",
        ["GET /api/v1/credits/ledger"] = "listCreditLedger",
        ["POST /api/v1/generations/cancel-queued"] = "cancelQueuedGenerations",
        ["POST /api/v1/images/move"] = "moveImages",
        ["POST /api/v1/images/trash"] = "trashImages",
        ["DELETE /api/v1/images/trash"] = "emptyTrash",
        ["GET /api/v1/presets/default"] = "getDefaultPreset",
        ["POST /api/v1/billing/checkout"] = "createCheckout",
        ["POST /api/v1/billing/subscription/plan"] = "changeSubscriptionPlan",
        ["POST /api/v1/billing/subscription/cancel"] = "cancelSubscription",
        ["POST /api/v1/billing/subscription/resume"] = "resumeSubscription",
        ["POST /api/v1/billing/portal"] = "createBillingPortalLink",
        ["POST /api/v1/webhooks/lemonsqueezy"] = "receiveLemonSqueezyWebhook",
        ["POST /api/v1/webhooks/stripe"] = "receiveStripeWebhook",
        ["POST /api/v1/admin/users/{id}/credits"] = "adjustUserCredits",
        ["GET /api/v1/admin/stats"] = "getAdminStats",
        ["GET /api/v1/admin/audit"] = "listAdminAudit",
    };

    /// <summary>The chosen ids by <c>METHOD path</c>, for the test that keeps each one on a route.</summary>
    public static IReadOnlyDictionary<string, string> ChosenIds => Chosen;

    public static string For(OpenApiRoute route) =>
        route.Endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
        ?? Chosen.GetValueOrDefault($"{route.Method} {route.Path}")
        ?? Derive(route.Method, route.Path);

    public static string Derive(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(s => s is "api" or "v1").ToList();
        var endsWithParameter = segments.Count > 0 && IsParameter(segments[^1]);
        var literals = segments.Where(s => !IsParameter(s)).ToList();

        // A literal after a parameter names an action or a sub-collection of that one item.
        string? action = null;
        if (method == "POST" && segments.Count >= 2 && !endsWithParameter && !IsCollection(segments[^1]))
        {
            action = segments[^1];
            literals.RemoveAt(literals.Count - 1);
        }

        var noun = string.Concat(literals.Select((s, i) =>
            Pascal(i < literals.Count - 1 || endsWithParameter || action is not null || method is "POST" or "PUT" or "PATCH" or "DELETE" ? Singular(s) : s)));
        var verb = action is not null ? Camel(action)
            : method switch
            {
                "GET" => !endsWithParameter && IsCollection(segments.LastOrDefault() ?? "") ? "list" : "get",
                "POST" => "create",
                "PUT" or "PATCH" => "update",
                "DELETE" => "delete",
                _ => method.ToLowerInvariant(),
            };
        return verb + noun;
    }

    private static bool IsParameter(string segment) => segment.StartsWith('{');

    private static bool IsCollection(string segment) => segment.EndsWith('s') && !segment.EndsWith("ss", StringComparison.Ordinal);

    private static string Singular(string segment) =>
        segment.EndsWith("ies", StringComparison.Ordinal) ? segment[..^3] + "y"
        : IsCollection(segment) ? segment[..^1]
        : segment;

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => char.ToUpper(word[0], CultureInfo.InvariantCulture) + word[1..]));

    private static string Camel(string kebab)
    {
        var pascal = Pascal(kebab);
        return char.ToLower(pascal[0], CultureInfo.InvariantCulture) + pascal[1..];
    }
}
