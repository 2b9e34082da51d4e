using MobileViT.Inference.Models.Versions;

namespace MobileViT.Inference.Tests.Models;

/// <summary>Triton's ModelConfig in JSON, as the control API's config override and model_config.json carry it.</summary>
public sealed class ServingConfigJsonTests
{
    [Theory]
    [InlineData("{\"version_policy\": {\"latest\": {\"num_versions\": 2}}}", "latest 2")]
    [InlineData("{\"versionPolicy\": {\"latest\": {\"numVersions\": \"3\"}}}", "latest 3")]
    [InlineData("{\"version_policy\": {\"latest\": {}}}", "latest 1")]
    [InlineData("{\"version_policy\": {\"all\": {}}}", "all")]
    [InlineData("{\"version_policy\": {\"specific\": {\"versions\": [3, \"1\"]}}}", "specific [1, 3]")]
    [InlineData("{}", "latest 1")]
    public void A_version_policy_is_read_in_tritons_json_forms(string json, string policy) =>
        Assert.Equal(policy, ServingConfigJson.Parse(json, "m", "test").Policy.ToString());

    [Fact]
    public void Default_and_shadow_versions_and_the_sample_are_string_parameters_and_the_rest_of_a_model_config_is_accepted()
    {
        var config = ServingConfigJson.Parse("""
            {"name": "m", "platform": "onnxruntime_onnx", "max_batch_size": 8, "input": [], "output": [],
             "instance_group": [{"kind": "KIND_CPU", "count": 2}],
             "parameters": {"default_version": {"string_value": "2"}, "shadow_version": {"string_value": "3"},
                            "shadow_sample": {"string_value": "0.25"}, "preprocessing_mode": {"string_value": "exact"}}}
            """, "m", "test");

        Assert.Equal(new ServingConfig(VersionPolicy.Default, 2, 3, 0.25), config);
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{\"version_polcy\": {}}", "'version_polcy' is not a field of Triton's ModelConfig")]
    [InlineData("{\"name\": \"other\"}", "must be the model's name, 'm'")]
    [InlineData("{\"version_policy\": {\"latest\": {\"num_versions\": 0}}}", "at least 1")]
    [InlineData("{\"version_policy\": {\"newest\": {}}}", "must be one of")]
    [InlineData("{\"version_policy\": {\"specific\": {\"versions\": []}}}", "non-empty list")]
    [InlineData("{\"version_policy\": {\"specific\": {\"versions\": [0]}}}", "positive whole number")]
    [InlineData("{\"parameters\": {\"shadow_sample\": {\"string_value\": \"1.5\"}}}", "fraction from 0 to 1")]
    [InlineData("{\"parameters\": {\"default_version\": {\"string_value\": \"two\"}}}", "whole number")]
    [InlineData("{\"parameters\": {\"default_version\": \"2\", \"shadow_version\": \"2\"}}", "cannot shadow itself")]
    [InlineData("{\"version_policy\": ", "not valid JSON")]
    public void A_bad_configuration_is_refused_saying_what_is_wrong_and_where(string json, string says)
    {
        var error = Assert.Throws<FormatException>(() => ServingConfigJson.Parse(json, "m", "m/model_config.json"));

        Assert.StartsWith("m/model_config.json", error.Message);
        Assert.Contains(says, error.Message);
    }
}
