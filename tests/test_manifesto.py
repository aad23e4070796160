"""O manifesto (``course/otimizacao/manifesto.py``) é a casa de cada caderno: o resto deriva
dele ou é verificado contra ele, e o build recusa um caderno que não o cumpra."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest

import solutions
from autograder import comum, construir
from otimizacao import manifesto

RAIZ = Path(__file__).resolve().parents[1]
MODULO4 = RAIZ.parent / "shared" / "modulo4.md"


def test_cada_caderno_de_course_esta_no_manifesto_e_vice_versa():
    assert [c.stem for c in construir.cadernos()] == [c.nome for c in manifesto.CADERNOS]


def test_solutions_encontra_cada_exercicio_no_modulo_do_manifesto():
    for caderno in manifesto.CADERNOS:
        for nome in caderno.nomes:
            assert solutions._ONDE.get(nome) == caderno.solucoes, nome
            assert getattr(solutions, nome).__module__ == f"solutions.{caderno.solucoes}"


def test_tabela_do_readme_e_a_do_manifesto():
    """Em passo com o manifesto (como o CI do fastbook com os seus cadernos gerados): o
    `make notebooks` reescreve a tabela; aqui só se confirma que ninguém se esqueceu de o correr."""
    readme = (RAIZ / "README.md").read_text(encoding="utf-8")
    assert manifesto.readme_com_tabela(readme) == readme, (
        "A tabela de cadernos do README não é a do manifesto: corre `make notebooks` (reescreve-a)."
    )
    linhas = [linha for linha in readme.splitlines() if re.match(r"^\| `\d\d_", linha)]
    assert len(linhas) == len(manifesto.CADERNOS)


def test_a_tabela_do_readme_e_reescrita_e_sem_marcas_ha_mensagem():
    velho = f"antes\n{manifesto.INICIO_TABELA}\n| `99_velho` | x | y |\n{manifesto.FIM_TABELA}\ndepois\n"
    novo = manifesto.readme_com_tabela(velho)
    assert "99_velho" not in novo and novo.startswith("antes\n") and novo.endswith("depois\n")
    assert all(f"| `{c.nome}` |" in novo for c in manifesto.CADERNOS)
    with pytest.raises(ValueError, match="marcas"):
        manifesto.readme_com_tabela("um README sem a tabela")


def test_itens_do_checklist_sao_os_do_texto_palavra_por_palavra():
    if not MODULO4.exists():
        pytest.skip("shared/modulo4.md não está ao lado do projeto")
    texto = MODULO4.read_text(encoding="utf-8")
    bloco = texto[texto.index("Checklist Módulo 4"):].split("---")[0]
    itens = re.findall(r"^- \[ \] (.+)$", bloco, flags=re.M)
    assert list(manifesto.CHECKLIST.values()) == itens
    usados = {i for c in manifesto.CADERNOS for i in c.checklist}
    assert usados <= set(manifesto.CHECKLIST)


def test_cadernos_cumprem_o_manifesto():
    for caminho in construir.cadernos():
        caderno = manifesto.POR_NOME[caminho.stem]
        nb = nbformat.read(caminho, as_version=4)
        problemas = construir.verificar_manifesto(
            nb, caderno, construir.testes_ocultos(caminho.stem), construir.variantes(caminho.stem)
        )
        assert problemas == []


# --------------------------------------------------------------------------- o build recusa
CADERNO = "04_poda"


def _entrada():
    nb = nbformat.read(comum.COURSE / f"{CADERNO}.ipynb", as_version=4)
    return nb, manifesto.POR_NOME[CADERNO], construir.testes_ocultos(CADERNO), construir.variantes(CADERNO)


def test_exercicio_sem_testes_ocultos_e_recusado_com_mensagem():
    nb, caderno, ocultos, var = _entrada()
    sem = {gid: s for gid, s in ocultos.items() if "mascara" not in gid}
    problemas = construir.verificar_manifesto(nb, caderno, sem, var)
    assert any("mascara_magnitude não tem testes ocultos" in p for p in problemas), problemas


def test_exercicio_sem_variantes_e_recusado_com_mensagem():
    nb, caderno, ocultos, var = _entrada()

    class SemErradas:
        CERTAS = var.CERTAS
        ERRADAS = {k: v for k, v in var.ERRADAS.items() if v[0] != "tamanho_gzip"}

    problemas = construir.verificar_manifesto(nb, caderno, ocultos, SemErradas)
    assert any("tamanho_gzip não tem respostas ERRADAS" in p for p in problemas), problemas
    assert any("falta autograder/variantes" in p for p in construir.verificar_manifesto(nb, caderno, ocultos, None))


def test_pontos_diferentes_do_manifesto_sao_recusados():
    nb, caderno, ocultos, var = _entrada()
    nb = copy.deepcopy(nb)
    for celula in nb.cells:
        if comum.nbgrader_meta(celula).get("grade_id") == "teste_calcular_sparsity":
            celula.metadata["nbgrader"]["points"] += 1
    problemas = construir.verificar_manifesto(nb, caderno, ocultos, var)
    assert any("calcular_sparsity vale 3 pontos no manifesto e 4" in p for p in problemas), problemas


def test_caderno_fora_do_manifesto_para_o_build(tmp_path, monkeypatch):
    ultimo = construir.cadernos()[-1].stem
    monkeypatch.setattr(manifesto, "POR_NOME", {n: c for n, c in manifesto.POR_NOME.items() if n != ultimo})
    with pytest.raises(comum.ErroConstrucao, match=f"Cadernos fora do manifesto: {ultimo}"):
        construir.construir(tmp_path, release=False)
