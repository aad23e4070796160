"""A cache do modelo de base na avaliação (issue 14): `make avaliar` só arranca o processo com
o TensorFlow para a aquecer quando o código ou as versões mudaram."""

from __future__ import annotations

import json
import subprocess

import pytest

from autograder import cache_modelos

pytestmark = pytest.mark.lento  # o primeiro aquecimento importa o TensorFlow (e pode treinar)


def test_segundo_aquecimento_nao_arranca_processo_e_selo_errado_volta_a_aquecer(tmp_path, monkeypatch):
    monkeypatch.setenv("CURSO4_CACHE_MODELOS", str(tmp_path / "cache"))
    primeira = cache_modelos.aquecer_cache(tmp_path)
    assert primeira.startswith("Modelo de base"), primeira
    selo = json.loads((tmp_path / "cache" / cache_modelos.SELO_CACHE).read_text(encoding="utf-8"))
    assert (tmp_path / "cache" / selo["modelo"]).is_file()
    assert selo["impressao"] == cache_modelos.impressao_do_modelo_de_base()

    chamadas = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: chamadas.append(a) or real(*a, **k))
    assert "já na cache" in cache_modelos.aquecer_cache(tmp_path)
    assert chamadas == []

    # Outro código ou outras versões (outra impressão): volta a arrancar o processo, que lê o
    # modelo da cache (mesma chave) e regrava o selo.
    (tmp_path / "cache" / cache_modelos.SELO_CACHE).write_text(json.dumps({**selo, "impressao": "outra"}), encoding="utf-8")
    assert "lido da cache" in cache_modelos.aquecer_cache(tmp_path)
    assert len(chamadas) == 1
    # O modelo apagado à mão: também volta a aquecer (e treina).
    (tmp_path / "cache" / selo["modelo"]).unlink()
    assert "treinado" in cache_modelos.aquecer_cache(tmp_path)
    assert len(chamadas) == 2 and (tmp_path / "cache" / selo["modelo"]).is_file()
