using System.Security.Cryptography;

namespace Pingvas.Server.Loras;

/// <summary>
/// Object keys of LoRA files: under the owner's prefix (<c>users/&lt;user&gt;/loras/</c>, so erasing an
/// account's objects by prefix takes them too), with 128 random bits, since ids are sequential.
/// </summary>
public static class LoraKeys
{
    public static string New(Guid userId, Guid loraId) =>
        $"users/{userId:N}/loras/{loraId:N}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}.safetensors";
}
