namespace MobileViT.Service.Access;

/// <summary>Set on a request whose address has presented too many wrong keys: its attempt was refused before any key was checked.</summary>
internal sealed record AuthenticationLimited(TimeSpan RetryAfter);
