"""Safety-nets item explainability: explanations are available for high-stakes decisions."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_dedented

from pytest_mlchecklist.detectors.safety_compliance import explainability_document, explainer_code, explanation_api

ITEM = "explainability"

SHAP_SERVICE = """
    import shap

    from scoring.model import load_model

    model = load_model()
    explainer = shap.TreeExplainer(model)


    def reason_codes(features, top=3):
        values = explainer.shap_values(features)
        ranked = sorted(zip(features.columns, values[0]), key=lambda pair: -abs(pair[1]))
        return [name for name, _ in ranked[:top]]
"""


def test_shap_in_service_code_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/scoring/explain.py": SHAP_SERVICE})
    evidence = run_detector(explainer_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "shap.TreeExplainer" in evidence[0].detail and evidence[0].line == 6


def test_captum_chained_call_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/vision/attributions.py": """
        from captum.attr import IntegratedGradients


        def attributions(model, images, target):
            return IntegratedGradients(model).attribute(images, target=target)
    """})
    evidence = run_detector(explainer_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "captum.attr.IntegratedGradients" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/model.py": "def predict(x):\n    return x\n", "README.md": "# Model\n\nA model.\n"})
    assert run_detector(explainer_code, tmp_path) == []
    assert run_detector(explanation_api, tmp_path) == []
    assert run_detector(explainability_document, tmp_path) == []


def test_notebook_scratch_and_dependency_only_are_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "notebooks/explore_shap.py": """
            # %%
            import shap
            explainer = shap.Explainer(model)
            shap_values = explainer(X_sample)
            shap.plots.beeswarm(shap_values)
        """,
        "requirements.txt": "scikit-learn==1.5.2\nshap==0.46.0\n",
    })
    evidence = run_detector(explainer_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "notebook or scratch" in evidence[0].detail

    (tmp_path / "notebooks" / "explore_shap.py").unlink()
    evidence = run_detector(explainer_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].path == "requirements.txt" and "is a dependency" in evidence[0].detail


def test_import_only_gives_nothing_and_unused_explainer_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/report.py": "import shap\n\n\ndef version():\n    return shap.__version__\n"})
    assert run_detector(explainer_code, tmp_path) == []
    write_dedented(tmp_path, {"src/report.py": "import lime.lime_tabular\n\n\ndef build(data):\n"
                              "    explainer = lime.lime_tabular.LimeTabularExplainer(data)\n    return None\n"})
    evidence = run_detector(explainer_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "never computes" in evidence[0].detail


# ---------------------------------------------------------------------- served explanations
def test_route_returning_reason_codes_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/api.py": """
        from fastapi import FastAPI

        app = FastAPI()


        @app.post("/score")
        def score(application: dict):
            probability = model.predict_proba(application)
            return {"probability": probability, "reason_codes": top_reasons(application)}


        @app.get("/health")
        def health():
            return {"status": "ok"}
    """})
    evidence = run_detector(explanation_api, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`/score`" in evidence[0].detail and "`reason_codes`" in evidence[0].detail


SCORING_APP = """
    from fastapi import Depends, FastAPI

    from scoring.predictor import Predictor
    from scoring.schemas import ScoreResponse, TransactionRequest

    app = FastAPI()
    predictor = Predictor()


    @app.post("/v1/score", response_model=ScoreResponse)
    def score(transaction: TransactionRequest) -> ScoreResponse:
        scored = predictor.score_request(transaction)
        return scored.response


    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}
"""


def test_route_answering_with_a_model_of_another_module_supports(tmp_path: Path) -> None:
    # The shape of a scoring service: the handler returns an object built elsewhere, whose class has the reasons.
    write_dedented(tmp_path, {
        "src/scoring/app.py": SCORING_APP,
        "src/scoring/schemas.py": """
            from pydantic import BaseModel, Field


            class TransactionRequest(BaseModel):
                transaction_id: str
                amount: float


            class ScoreResponse(BaseModel):
                transaction_id: str
                score: float
                decision: str
                reason_codes: list[str] = Field(default_factory=list)
        """,
        "src/scoring/predictor.py": """
            from scoring.schemas import ScoreResponse


            class Predictor:
                def score_request(self, request):
                    return Scored(ScoreResponse(transaction_id=request.transaction_id, score=0.1, decision="approve"))
        """,
    })
    evidence = run_detector(explanation_api, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`/v1/score`" in evidence[0].detail and "`reason_codes` of `ScoreResponse`" in evidence[0].detail
    assert "src/scoring/schemas.py" in evidence[0].detail
    assert (evidence[0].path, evidence[0].line) == ("src/scoring/app.py", 11)


def test_route_returning_a_dataclass_called_in_the_return_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {
        "service/api.py": """
            from fastapi import FastAPI

            from service.predictor import Prediction

            app = FastAPI()


            @app.post("/predict")
            def predict(features: dict):
                return Prediction(0.7, ["amount"])
        """,
        "service/predictor.py": """
            from dataclasses import dataclass


            @dataclass
            class Prediction:
                score: float
                explanations: list[str]
        """,
    })
    evidence = run_detector(explanation_api, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`explanations` of `Prediction`" in evidence[0].detail


def test_response_model_without_explanation_fields_is_a_look_alike(tmp_path: Path) -> None:
    # The route answers with a repository class without reasons; the class with reasons is answered by no route.
    write_dedented(tmp_path, {
        "src/scoring/app.py": SCORING_APP,
        "src/scoring/schemas.py": """
            from pydantic import BaseModel


            class TransactionRequest(BaseModel):
                transaction_id: str


            class ScoreResponse(BaseModel):
                transaction_id: str
                score: float
                decision: str


            class AnalystCase(BaseModel):
                transaction_id: str
                reason_codes: list[str]
        """,
    })
    assert run_detector(explanation_api, tmp_path) == []


def test_explain_route_with_constant_is_partial(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"src/api.py": """
        from flask import Flask

        app = Flask(__name__)


        @app.route("/explain")
        def explain():
            return "coming soon"
    """})
    evidence = run_detector(explanation_api, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]


def test_kserve_explainer_supports(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"deploy/isvc.yaml": """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: income
        spec:
          predictor:
            sklearn:
              storageUri: gs://models/income/v3
          explainer:
            alibi:
              type: AnchorTabular
              storageUri: gs://models/income/explainer/v3
    """})
    evidence = run_detector(explanation_api, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`income`" in evidence[0].detail and evidence[0].line == 9


# ---------------------------------------------------------------------- model card
def test_model_card_section(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/model-card.md": """
        # Credit model card

        ## Explainability
        - Method: SHAP values from a TreeExplainer, turned into the top three reason codes.
        - Reason codes are returned with every decision and stored in the `decisions` table for seven years.
    """})
    evidence = run_detector(explainability_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "shap" in evidence[0].detail


def test_model_card_method_without_storage_and_empty_heading(tmp_path: Path) -> None:
    write_dedented(tmp_path, {"docs/model-card.md": """
        # Credit model card

        ## Explainability
        We use SHAP to understand the model.
    """})
    evidence = run_detector(explainability_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not where explanations are stored" in evidence[0].detail

    write_dedented(tmp_path, {"docs/model-card.md": "# Card\n\n## Interpretability\n\nTBD\n"})
    evidence = run_detector(explainability_document, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "nothing under it" in evidence[0].detail
