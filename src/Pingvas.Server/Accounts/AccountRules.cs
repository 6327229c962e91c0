using System.Net.Mail;

namespace Pingvas.Server.Accounts;

/// <summary>Input rules for accounts; each returns field → messages, empty when valid.</summary>
public static class AccountRules
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 256;
    public const int MaxNameLength = 100;
    public const int MaxEmailLength = 254;

    public static string NormalizeEmail(string? email) => (email ?? "").Trim().ToLowerInvariant();

    public static Dictionary<string, string[]> CheckRegistration(string? email, string? password, string? name)
    {
        var errors = new Dictionary<string, string[]>();
        var normalized = NormalizeEmail(email);
        if (!IsEmail(normalized))
        {
            errors["email"] = ["Enter a valid email address."];
        }

        CheckPassword(errors, "password", password);
        CheckName(errors, name);
        return errors;
    }

    /// <summary>The password rules of registration, reported under <paramref name="field"/>.</summary>
    public static void CheckPassword(Dictionary<string, string[]> errors, string field, string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            errors[field] = [$"The password must have at least {MinPasswordLength} characters."];
        }
        else if (password.Length > MaxPasswordLength)
        {
            errors[field] = [$"The password may have at most {MaxPasswordLength} characters."];
        }
    }

    public static void CheckName(Dictionary<string, string[]> errors, string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            errors["name"] = [$"The name must have 1 to {MaxNameLength} characters."];
        }
    }

    public static bool IsEmail(string email)
    {
        if (email.Length is 0 or > MaxEmailLength || email.Contains(' ') || email.Count(c => c == '@') != 1)
        {
            return false;
        }

        var at = email.IndexOf('@');
        var domain = email[(at + 1)..];
        return at > 0 && domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.')
            && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email;
    }
}
