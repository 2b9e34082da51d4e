using Microsoft.Extensions.Logging;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Inference.Tests.Preprocessing;

public sealed class JpegDecoderNoticeTests
{
    private sealed class CapturingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    [Theory]
    [InlineData(true, LogLevel.Warning)]
    [InlineData(false, LogLevel.Information)]
    public void A_fallback_is_a_warning_and_the_windowed_decoder_information(bool fallback, LogLevel level)
    {
        var logger = new CapturingLogger();
        JpegDecoderNotice.Log(logger, fallback, "status text");
        Assert.Equal([(level, "status text")], logger.Entries);
    }

    [Fact]
    public void Is_logged_once_per_process()
    {
        var first = new CapturingLogger();
        var second = new CapturingLogger();
        JpegDecoderNotice.LogOnce(first);
        JpegDecoderNotice.LogOnce(second);
        Assert.Empty(second.Entries);
        Assert.True(first.Entries.Count <= 1); // zero when a model loaded earlier in this test process logged it
    }

    [Fact]
    public void Status_names_the_decoder_in_use()
    {
        // The test environment has both decoders (JpegWindowDecodingTests, JpegDecodingTests check that they load).
        Assert.Contains($"only the crop window and in bands ({JpegStreamLibrary.Description})", ImagePreprocessor.JpegDecoderStatus);
    }
}
