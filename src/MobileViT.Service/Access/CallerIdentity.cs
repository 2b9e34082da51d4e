using MobileViT.Inference.Serving;

namespace MobileViT.Service.Access;

/// <summary>The core's view of who is calling, from the identity the authentication scheme established.</summary>
internal static class CallerIdentity
{
    /// <summary>The authenticated caller's name (a key's name, or anonymous) and the client's address.</summary>
    public static Caller Caller(this HttpContext context) =>
        new(context.User.Identity?.Name ?? Inference.Access.ClientLabel.Anonymous, context.Connection.RemoteIpAddress?.ToString());
}
