"""Safety-nets item genai-safety-filters: generated output passes through safety filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_compliance import guardrail_config, output_moderation_code

ITEM = "genai-safety-filters"

OPENAI_MODERATED = """
    from openai import OpenAI

    client = OpenAI()


    def answer(question: str) -> str:
        response = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
        )
        text = response.choices[0].message.content
        verdict = client.moderations.create(input=text)
        if verdict.results[0].flagged:
            return "Sorry, I can't help with that."
        return text
"""


def test_output_moderated_in_code_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"app/chat.py": OPENAI_MODERATED})
    evidence = run_detector(output_moderation_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`answer`" in evidence[0].detail and "moderations.create" in evidence[0].detail
    assert evidence[0].line == 11


def test_llm_guard_scan_output_and_local_filter(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"svc/generate.py": """
        from llm_guard import scan_output
        from transformers import pipeline

        generator = pipeline("text-generation", model="distilgpt2")


        def redact_pii(text):
            return text


        def complete(prompt, scanners):
            out = generator.generate(prompt)
            safe = redact_pii(out)
            cleaned, valid, scores = scan_output(scanners, prompt, safe)
            return cleaned
    """})
    evidence = run_detector(output_moderation_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "redact_pii" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/model.py": "def predict(x):\n    return x * 2\n", "config.yaml": "threshold: 0.5\n"})
    assert run_detector(output_moderation_code, tmp_path) == []
    assert run_detector(guardrail_config, tmp_path) == []


def test_prompt_only_moderation_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"app/chat.py": """
        from openai import OpenAI

        client = OpenAI()


        def answer(question):
            if client.moderations.create(input=question).results[0].flagged:
                return "rejected"
            response = client.chat.completions.create(model="m", messages=[{"role": "user", "content": question}])
            return response.choices[0].message.content
    """})
    evidence = run_detector(output_moderation_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "prompt" in evidence[0].detail and "not the generated output" in evidence[0].detail


def test_generation_without_any_filter_gives_nothing(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"app/chat.py": """
        import anthropic

        client = anthropic.Anthropic()


        def answer(question):
            message = client.messages.create(model="m", max_tokens=200, messages=[{"role": "user", "content": question}])
            return message.content[0].text
    """})
    assert run_detector(output_moderation_code, tmp_path) == []


# ---------------------------------------------------------------------- configuration
def test_nemo_guardrails_output_rails_support(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"guardrails/config.yml": """
        models:
          - type: main
            engine: openai
            model: gpt-4o-mini
        rails:
          input:
            flows:
              - self check input
          output:
            flows:
              - self check output
              - check sensitive data
    """})
    evidence = run_detector(guardrail_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "2 output rails" in evidence[0].detail and "1 input rail" in evidence[0].detail
    assert evidence[0].line == 9


def test_nemo_input_rails_only_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"guardrails/config.yml": """
        rails:
          input:
            flows:
              - self check input
    """})
    evidence = run_detector(guardrail_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "prompts only" in evidence[0].detail


@pytest.mark.parametrize(
    ("rail", "expected"),
    [
        ("""<rail version="0.1">
<output>
  <string name="answer" validators="toxic-language; detect-pii" on-fail-toxic-language="filter"/>
</output>
</rail>
""", "supports"),
        ("""<rail version="0.1">
<output>
  <string name="answer"/>
</output>
</rail>
""", "partial"),
        ("<rail><output>\n", "unreadable"),
    ],
    ids=["validators", "no-validators", "broken"],
)
def test_guardrails_ai_rail_spec(tmp_path: Path, rail: str, expected: str) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "answer.rail").write_text(rail)
    assert verdicts(run_detector(guardrail_config, tmp_path), ITEM) == [expected]


def test_terraform_bedrock_and_azure_policies(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"infra/guardrails.tf": """
        resource "aws_bedrock_guardrail" "assistant" {
          name                      = "assistant"
          blocked_input_messaging   = "Blocked"
          blocked_outputs_messaging = "Blocked"

          content_policy_config {
            filters_config {
              type            = "HATE"
              input_strength  = "HIGH"
              output_strength = "HIGH"
            }
          }
        }

        resource "azurerm_cognitive_account_rai_policy" "prompts_only" {
          name                 = "prompts-only"
          cognitive_account_id = azurerm_cognitive_account.main.id
          base_policy_name     = "Microsoft.Default"

          content_filter {
            name               = "Hate"
            filter_enabled     = true
            block_enabled      = true
            severity_threshold = "High"
            source             = "Prompt"
          }
        }
    """})
    evidence = run_detector(guardrail_config, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "partial"]
    assert "Bedrock guardrail `assistant`" in evidence[0].detail
    assert "prompts only" in evidence[1].detail
