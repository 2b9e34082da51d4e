using Microsoft.Extensions.Options;

namespace MobileViT.Inference.Access;

/// <summary>
/// Start-up validation of <c>MobileViT:Auth</c> and <c>MobileViT:RateLimit</c>; every failure names the key. A key
/// file that is configured but missing or unreadable stops the service here rather than leaving it open.
/// </summary>
public sealed class AccessOptionsValidator : IValidateOptions<AuthOptions>, IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        try
        {
            ApiKeyStore.LoadConfigured(options);
        }
        catch (FormatException e)
        {
            errors.Add(e.Message);
        }
        if (options.KeyFile is { } file)
        {
            try
            {
                ApiKeyStore.ParseFile(ApiKeyStore.Read(file).Text, file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"MobileViT__Auth__ApiKeysFile '{file}' cannot be read: {e.Message}");
            }
            catch (FormatException e)
            {
                errors.Add($"MobileViT__Auth__ApiKeysFile: {e.Message}");
            }
        }
        if (options.ReloadIntervalSeconds is <= 0 or > 3600)
            errors.Add($"MobileViT__Auth__ReloadIntervalSeconds must be more than 0 and at most 3600 (was {options.ReloadIntervalSeconds}).");
        if (options.MaxFailedAttempts < 1)
            errors.Add($"MobileViT__Auth__MaxFailedAttempts must be at least 1 (was {options.MaxFailedAttempts}).");
        if (options.FailedAttemptWindowSeconds is <= 0 or > 86_400 || double.IsNaN(options.FailedAttemptWindowSeconds))
            errors.Add($"MobileViT__Auth__FailedAttemptWindowSeconds must be more than 0 and at most 86400 (was {options.FailedAttemptWindowSeconds}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new List<string>();
        if (options.PermitsPerSecond < 0 || double.IsNaN(options.PermitsPerSecond))
            errors.Add($"MobileViT__RateLimit__PermitsPerSecond must be 0 (off) or more (was {options.PermitsPerSecond}).");
        if (options.Burst is < 1)
            errors.Add($"MobileViT__RateLimit__Burst must be at least 1 (was {options.Burst}).");
        foreach (var (client, limit) in options.Clients)
        {
            if (limit.PermitsPerSecond <= 0 || double.IsNaN(limit.PermitsPerSecond))
                errors.Add($"MobileViT__RateLimit__Clients__{client}__PermitsPerSecond must be more than 0 (was {limit.PermitsPerSecond}).");
            if (limit.Burst is < 1)
                errors.Add($"MobileViT__RateLimit__Clients__{client}__Burst must be at least 1 (was {limit.Burst}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
