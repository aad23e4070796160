"""O registo de progresso do aluno (``course/otimizacao/progresso.py``): escrita atómica, um
ficheiro em falta ou estragado nunca para um caderno (aviso em pt-PT no stdout, nada no stderr,
cópia do estragado), desligado durante a avaliação."""

from __future__ import annotations

import json

import numpy as np
import pytest

from otimizacao import progresso


@pytest.fixture
def ficheiro(tmp_path, monkeypatch):
    caminho = tmp_path / "curso" / ".progresso_modulo4.json"
    monkeypatch.setenv(progresso.ENV_PROGRESSO, str(caminho))
    return caminho


def test_registar_escreve_o_formato_documentado(ficheiro, capsys):
    assert progresso.registar("01_ptq_tflite", "quantizar_modelo_int8",
                              figuras={"razao_int8": np.float32(3.5), "queda_pontos": 0.4}) is None
    dados = json.loads(ficheiro.read_text(encoding="utf-8"))
    assert dados["versao"] == 1
    ex = dados["exercicios"]["quantizar_modelo_int8"]
    assert ex["caderno"] == "01_ptq_tflite" and ex["passou"] is True and ex["quando"]
    assert dados["figuras"]["01_ptq_tflite"] == {"razao_int8": 3.5, "queda_pontos": 0.4}
    # Um segundo registo acrescenta, não apaga o anterior; só figuras também se regista.
    progresso.registar("04_poda", "calcular_sparsity")
    progresso.registar("04_poda", figuras={"esparsidade": 0.79, "nao_numero": "x", "nan": float("nan")})
    dados = progresso.ler()
    assert set(dados["exercicios"]) == {"quantizar_modelo_int8", "calcular_sparsity"}
    assert dados["figuras"]["04_poda"] == {"esparsidade": 0.79}  # o que não é número finito não entra
    assert capsys.readouterr().err == ""
    # Nenhum temporário deixado para trás.
    assert [p.name for p in ficheiro.parent.iterdir()] == [ficheiro.name]


def test_ficheiro_em_falta_e_um_registo_vazio(ficheiro, capsys):
    assert progresso.estado() == "em_falta"
    assert progresso.ler() == progresso.vazio()
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("conteudo", ["{isto não é json", "[1, 2]", '{"versao": 99, "exercicios": {}, "figuras": {}}',
                                      '{"versao": 1, "exercicios": [], "figuras": {}}'])
def test_ficheiro_estragado_fica_de_lado_e_recomeca(ficheiro, capsys, conteudo):
    ficheiro.parent.mkdir(parents=True)
    ficheiro.write_text(conteudo, encoding="utf-8")
    progresso.registar("00_numeros_e_memoria", "memoria_modelo")
    saida = capsys.readouterr()
    assert saida.err == "", "o aviso vai para o stdout: na avaliação, stderr numa célula de teste vale 0"
    assert "estragado" in saida.out and "recomecei" in saida.out
    copia = ficheiro.with_name(ficheiro.name + ".estragado")
    assert copia.read_text(encoding="utf-8") == conteudo
    assert set(progresso.ler()["exercicios"]) == {"memoria_modelo"}


def test_nunca_levanta_mesmo_sem_poder_escrever(tmp_path, monkeypatch, capsys):
    bloqueio = tmp_path / "um_ficheiro"
    bloqueio.write_text("x")
    # A «pasta» do registo é um ficheiro: não se consegue criar nada lá dentro.
    monkeypatch.setenv(progresso.ENV_PROGRESSO, str(bloqueio / "sub" / ".progresso_modulo4.json"))
    progresso.registar("01_ptq_tflite", "avaliar_tflite")
    assert progresso.ler() == progresso.vazio()
    saida = capsys.readouterr()
    assert saida.err == "" and "Não consegui guardar" in saida.out


def test_escrita_atomica_um_erro_a_meio_deixa_o_ficheiro_anterior(ficheiro, monkeypatch):
    progresso.registar("00_numeros_e_memoria", "memoria_modelo")
    antes = ficheiro.read_text(encoding="utf-8")

    def rebenta(*args, **kwargs):
        raise OSError("disco cheio")

    monkeypatch.setattr(progresso.json, "dump", rebenta)
    progresso.registar("00_numeros_e_memoria", "quantizar_afim")
    assert ficheiro.read_text(encoding="utf-8") == antes
    assert [p.name for p in ficheiro.parent.iterdir()] == [ficheiro.name]


def test_desligado_na_avaliacao_e_com_a_variavel_vazia(tmp_path, monkeypatch):
    # A avaliação ganha a CURSO4_PROGRESSO: o kernel do aluno herda o ambiente de quem avalia.
    monkeypatch.setenv(progresso.ENV_PROGRESSO, str(tmp_path / progresso.NOME))
    monkeypatch.setenv(progresso.ENV_AVALIACAO, "/algures/autograder")
    assert progresso.caminho() is None
    progresso.registar("00_numeros_e_memoria", "memoria_modelo")
    assert not (tmp_path / progresso.NOME).exists() and progresso.estado() == "desligado"
    monkeypatch.delenv(progresso.ENV_AVALIACAO)
    monkeypatch.setenv(progresso.ENV_PROGRESSO, "")
    assert progresso.caminho() is None


def test_por_omissao_fica_na_pasta_dos_cadernos(monkeypatch):
    monkeypatch.delenv(progresso.ENV_PROGRESSO, raising=False)
    monkeypatch.delenv(progresso.ENV_AVALIACAO, raising=False)
    from autograder.comum import COURSE

    assert progresso.caminho() == COURSE / progresso.NOME


def test_exemplo_tem_o_formato_valido():
    assert progresso._valido(progresso.exemplo())


# --------------------------------------------------------------------------- o caderno 10
def _celulas_10():
    import nbformat

    from autograder.comum import COURSE

    return nbformat.read(COURSE / "10_checklist.ipynb", as_version=4).cells


def test_tabela_de_regras_do_caderno_10_e_a_do_manifesto():
    """A tabela em markdown do caderno 10 (o que o aluno lê) diz os mesmos exercícios, pela
    mesma ordem, que REGRAS (o que itens_demonstrados aplica)."""
    import re

    from otimizacao import manifesto

    texto = next(c.source for c in _celulas_10() if c.cell_type == "markdown" and "| item |" in c.source)
    linhas = [linha for linha in texto.splitlines() if linha.startswith("| ") and not linha.startswith("| item")]
    assert len(linhas) == len(manifesto.ITENS)
    for linha, (chave, item) in zip(linhas, manifesto.ITENS.items(), strict=True):
        celulas = [c.strip() for c in linha.strip("|").split("|")]
        assert celulas[0] == item, (celulas[0], item)
        exercicios = re.findall(r"`(\w+)`", celulas[1])
        assert exercicios == [n for alt in manifesto.REGRAS[chave] for n in alt["exercicios"]], chave
        assert (celulas[2] == "—") == all(not alt["figuras"] for alt in manifesto.REGRAS[chave]), chave


def test_caderno_10_corre_com_um_registo_estragado_e_diz_o_que_correr(tmp_path, monkeypatch):
    """O caderno 10 (com a referência) corre sem erros com um registo estragado: põe-no de lado,
    diz o que correr e mostra o registo de exemplo."""
    from nbclient import NotebookClient

    from autograder import comum, construir

    ficheiro = tmp_path / progresso.NOME
    ficheiro.write_text('{"versao": 1, "exercicios": ', encoding="utf-8")
    monkeypatch.setenv(progresso.ENV_PROGRESSO, str(ficheiro))
    monkeypatch.delenv(progresso.ENV_AVALIACAO, raising=False)
    nb = construir.caderno_fonte(comum.COURSE / "10_checklist.ipynb")
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    saidas = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in saidas if o.get("output_type") == "error" or o.get("name") == "stderr"]
    texto = "".join(o.get("text", "") for o in saidas)
    assert "estragado" in texto and "corre as células" in texto and "registo de exemplo" in texto
    assert "❌" in texto and "🔁" in texto and "desacordo" in texto
    assert ficheiro.with_name(ficheiro.name + ".estragado").exists()


# --------------------------------------------------------------------------- verificacao.passou
def test_passou_escreve_a_linha_e_regista_no_caderno_do_manifesto(ficheiro, capsys):
    """A última linha das células de testes: o caderno vem do manifesto, pelo nome do exercício."""
    from otimizacao import verificacao

    assert verificacao.passou("mascara_magnitude", "trata bem os limites nos testes visíveis") is None
    verificacao.passou("quantizar_modelo_int8", "dá um modelo 3.56× mais pequeno", figuras={"razao_int8": 3.56})
    verificacao.registar_medidas("podar_progressivamente", {"esparsidade": 0.79})
    verificacao.passou("calcular_sparsity")
    assert capsys.readouterr() == ("✅ mascara_magnitude trata bem os limites nos testes visíveis.\n"
                                   "✅ quantizar_modelo_int8 dá um modelo 3.56× mais pequeno.\n"
                                   "✅ calcular_sparsity passou nos testes visíveis.\n", "")
    dados = progresso.ler()
    assert {n: e["caderno"] for n, e in dados["exercicios"].items()} == {
        "mascara_magnitude": "04_poda", "quantizar_modelo_int8": "01_ptq_tflite", "calcular_sparsity": "04_poda"}
    assert dados["figuras"] == {"01_ptq_tflite": {"razao_int8": 3.56}, "04_poda": {"esparsidade": 0.79}}


@pytest.mark.parametrize(("chamada", "mensagem"), [
    (lambda v: v.passou("mascara_magnitud"), "nenhum exercício 'mascara_magnitud'. Querias dizer 'mascara_magnitude'?"),
    (lambda v: v.passou("memoria_modelo", caderno="04_poda"), "não é um exercício do caderno 04_poda"),
    (lambda v: v.passou("memoria_modelo", caderno="00_numeros"), "nenhum caderno com esse nome"),
    (lambda v: v.passou("quantizar_modelo_int8", figuras={"razao": 3.5}), "não declara a(s) figura(s) razao no caderno 01_ptq_tflite"),
    (lambda v: v.registar_medidas("Destilador", {"exatidao": 0.9}), "não declara a(s) figura(s) exatidao no caderno 06_destilacao"),
], ids=["exercicio", "exercicio_de_outro_caderno", "caderno", "figura", "figura_das_medidas"])
def test_um_nome_que_o_manifesto_nao_conhece_e_um_erro_de_quem_escreve_o_caderno(ficheiro, capsys, chamada, mensagem):
    from otimizacao import verificacao

    with pytest.raises(verificacao.NomeDesconhecido, match="manifesto") as erro:
        chamada(verificacao)
    assert mensagem in str(erro.value)
    assert capsys.readouterr() == ("", "") and not ficheiro.exists()  # nem linha ✅ nem registo


def test_um_nome_em_dois_cadernos_precisa_do_caderno(ficheiro, monkeypatch, capsys):
    """Hoje nenhum nome está em dois cadernos; se estiver, passou pede caderno= (não adivinha)."""
    import dataclasses

    from otimizacao import manifesto, verificacao

    copia = dataclasses.replace(manifesto.POR_NOME["04_poda"], nome="11_outra_poda")
    monkeypatch.setattr(manifesto, "CADERNOS", (*manifesto.CADERNOS, copia))
    monkeypatch.setattr(manifesto, "POR_NOME", {**manifesto.POR_NOME, copia.nome: copia})
    with pytest.raises(verificacao.NomeDesconhecido, match=r"mais de um caderno .*04_poda, 11_outra_poda.*caderno="):
        verificacao.passou("tamanho_gzip")
    verificacao.passou("tamanho_gzip", caderno="11_outra_poda")
    assert progresso.ler()["exercicios"]["tamanho_gzip"]["caderno"] == "11_outra_poda"
