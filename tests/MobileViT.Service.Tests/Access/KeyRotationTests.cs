using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Access;

/// <summary>
/// Key rotation without a restart: the key file is re-read on the service's (fake) clock, so a replaced file takes
/// effect when the reload interval passes, not before and not by chance; a broken file keeps the previous keys.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private const string RotatedName = "reader-2";
    private const string RotatedKey = "key-reader-2-9be1c04d";
    private KeyedService _keyed = null!;

    public async Task InitializeAsync() => _keyed = await KeyedService.StartAsync();

    public async Task DisposeAsync() => await _keyed.DisposeAsync();

    [Fact]
    public async Task A_key_file_replaced_by_an_atomic_rename_takes_effect_within_the_reload_interval_and_the_old_key_is_refused_after_it()
    {
        _keyed.ReplaceKeyFileAtomically($"# rotated\n{RotatedName}:{RotatedKey}\n");

        // The file changed on disk, but the interval has not passed: the old key still works, the new one not yet.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(KeyedService.FileKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(RotatedKey));

        _keyed.LetReloadIntervalPass();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(RotatedKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(KeyedService.FileKey));
        Assert.Equal(StatusCode.OK, await GrpcStatusAsync(RotatedKey));
        Assert.Equal(StatusCode.Unauthenticated, await GrpcStatusAsync(KeyedService.FileKey));
        // Keys from configuration are not in the file and stay.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(KeyedService.ConfigKey));
    }

    [Theory]
    [InlineData("reader-2 has no colon\n", "line 1")]
    [InlineData("# only comments\n\n", "names no key")]
    [InlineData("a:key-with-secret-123\na:key-with-secret-456\n", "used twice")]
    [InlineData("bad name:key-with-secret-123\n", "line 1")]
    public async Task A_key_file_that_cannot_be_parsed_keeps_the_previous_keys_and_logs_why_without_the_key(string content, string reason)
    {
        _keyed.ReplaceKeyFileAtomically(content);

        _keyed.LetReloadIntervalPass();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(KeyedService.FileKey));
        var warning = Assert.Single(_keyed.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(_keyed.KeyFile));
        Assert.Contains(reason, warning.Message);
        Assert.Contains("previous", warning.Message);
        Assert.DoesNotContain("key-with-secret", warning.Message);
    }

    [Fact]
    public async Task A_deleted_key_file_keeps_the_previous_keys_and_a_restored_one_is_read_again()
    {
        File.Delete(_keyed.KeyFile);
        _keyed.LetReloadIntervalPass();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(KeyedService.FileKey));
        Assert.Contains(_keyed.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(_keyed.KeyFile));

        _keyed.ReplaceKeyFileAtomically($"{RotatedName}:{RotatedKey}\n");
        _keyed.LetReloadIntervalPass();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(RotatedKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(KeyedService.FileKey));
    }

    private async Task<HttpStatusCode> StatusAsync(string key)
    {
        using var response = await _keyed.SendAsync("GET", "/v1/models", key);
        return response.StatusCode;
    }

    private async Task<StatusCode> GrpcStatusAsync(string key)
    {
        try
        {
            await new Classifier.ClassifierClient(_keyed.Channel).ClassifyAsync(
                new ClassifyRequest { Model = KeyedService.Model, Image = ByteString.CopyFrom(TestImages.Png(32, 32)) }, KeyedService.Bearer(key));
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
