"""O manifesto (``course/otimizacao/manifesto.py``) é a casa de cada caderno: o resto deriva
dele ou é verificado contra ele, e o build recusa um caderno que não o cumpra."""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat
import pytest

import solutions
from autograder import comum, construir, ler_variantes
from otimizacao import manifesto

RAIZ = Path(__file__).resolve().parents[2]
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


# --------------------------------------------------------------------------- as variantes
def test_as_variantes_de_cada_caderno_leem_se_e_batem_com_o_caderno():
    """autograder/variantes/NN_nome.py (autograder/ler_variantes.py): cada resposta é de uma célula
    de resposta do caderno, é Python válido, e cada errada aponta células de teste que existem."""
    for caminho in construir.cadernos():
        var = construir.variantes(caminho.stem)
        assert var is not None, f"falta autograder/variantes/{caminho.stem}.py"
        assert var.CERTAS and var.ERRADAS, f"{caminho.stem}: o leitor não encontrou respostas certas e erradas"
        nb = nbformat.read(caminho, as_version=4)
        respostas = {comum.nbgrader_meta(c)["grade_id"] for c in nb.cells
                     if comum.nbgrader_meta(c).get("solution") and c.cell_type == "code"}
        testes = {comum.nbgrader_meta(c)["grade_id"] for c in nb.cells if comum.e_teste(c)}
        for tipo in ("CERTAS", "ERRADAS"):
            for descricao, (gid, codigo, *falha) in getattr(var, tipo).items():
                onde = f"{caminho.stem}, {tipo.lower()[:-1]} «{descricao}»"
                assert gid in respostas, f"{onde}: {gid} não é uma célula de resposta de código do caderno"
                ast.parse(codigo, filename=onde)
                assert all(set(f) <= testes and f for f in falha), (onde, falha, sorted(testes))
        for gid, descricao in var.MEIO_CERTO.items():
            assert var.ERRADAS[descricao][0] == gid, (caminho.stem, gid, descricao)


def test_o_leitor_de_variantes_devolve_as_formas_de_sempre(tmp_path):
    ficheiro = tmp_path / "99_exemplo.py"
    ficheiro.write_text(
        "# O comentário do ficheiro não é de nenhuma secção.\n\n"
        "# %% certa dobro: com multiplicação\n"
        "# Uma nota para quem lê (não é código).\n"
        "def dobro(x):\n    return 2 * x\n\n\n"
        "# %% errada dobro: soma em vez de multiplicar\n"
        "# falha: teste_dobro, teste_dobro_negativos\n"
        "# aluno: meio_certo\n"
        "def dobro(x):\n    return x + 2\n\n\n"
        "# %% base passos\n"
        "class _Passos:\n    def passo(self):\n        return 1\n\n\n"
        "# %% errada Passos: o passo errado\n"
        "# falha: teste_passos\n"
        "# base: passos\n\n"
        "# Um comentário do aluno, depois da linha em branco, é código.\n"
        "class Passos(_Passos):\n    def passo(self):\n        return 2\n",
        encoding="utf-8")
    var = ler_variantes.ler(ficheiro)
    assert var.CERTAS == {"com multiplicação": ("dobro", "def dobro(x):\n    return 2 * x")}
    assert var.ERRADAS["soma em vez de multiplicar"] == (
        "dobro", "def dobro(x):\n    return x + 2", ["teste_dobro", "teste_dobro_negativos"])
    gid, codigo, falha = var.ERRADAS["o passo errado"]
    assert (gid, falha) == ("Passos", ["teste_passos"])
    assert codigo.startswith("class _Passos:\n") and "\n\n\n# Um comentário do aluno" in codigo
    assert codigo.endswith("        return 2")
    assert var.MEIO_CERTO == {"dobro": "soma em vez de multiplicar"}


@pytest.mark.parametrize(("texto", "linha", "mensagem"), [
    ("# %% certinha f: x\npass\n", 1, "tem de começar por certa, errada ou base"),
    ("# %% certa f sem dois pontos\npass\n", 1, "escreve «# %% certa <grade_id>: <descrição>»"),
    ("# %% errada f: x\npass\n", 1, "«# falha: teste_a, teste_b»"),
    ("# %% errada f: x\n# falhas: teste_f\npass\n", 2, "«# falhas:» não é uma chave do cabeçalho"),
    ("# %% certa f: x\n# falha: teste_f\npass\n", 2, "«# falha:» não vale numa secção certa"),
    ("# %% errada f: x\n# falha: teste_f\n# aluno: meio_errado\npass\n", 1, "o único aluno"),
    ("# %% certa f: x\n# base: nenhuma\npass\n", 1, "escreve primeiro «# %% base nenhuma»"),
    ("# %% certa f: x\npass\n# %% certa f: x\npass\n", 3, "já há uma resposta certa «x»"),
    ("# %% certa f: x\n\n# %% certa g: y\npass\n", 1, "não tem código"),
    ("# %% base b\npass\n", 1, "nenhuma resposta usa a base b"),
    ("# %% certa f: x\npass\n#%% errada f: y\npass\n", 3, "parece o início de uma secção"),
])
def test_um_cabecalho_mal_escrito_diz_o_ficheiro_a_linha_e_o_que_corrigir(tmp_path, texto, linha, mensagem):
    ficheiro = tmp_path / "99_mal.py"
    ficheiro.write_text(texto, encoding="utf-8")
    with pytest.raises(comum.ErroConstrucao) as erro:
        ler_variantes.ler(ficheiro)
    assert f"99_mal.py, linha {linha}: " in str(erro.value) and mensagem in str(erro.value), str(erro.value)
