"""O juiz (autograder/juiz.py): o formato das mensagens e o contexto de cada caderno.

Rápidos: não correm cadernos. O juiz de ponta a ponta está em tests/avaliacao/test_batota.py (o corpus de
batotas) e em tests/avaliacao/test_avaliacao.py (a turma de demonstração de todos os cadernos).
"""

from __future__ import annotations

import ast
import builtins
import json

import numpy as np
import pytest

from autograder import comum, construir, juiz
from otimizacao import manifesto
from otimizacao.mensagens import ObservacaoInvalida, Opaco, de_dados, para_dados

JULGADOS = [c.nome for c in manifesto.CADERNOS if juiz.contexto_do_caderno(c.nome) is not None]


def _nomes_lidos_e_definidos(codigo: str) -> tuple[set[str], set[str]]:
    arvore = ast.parse(codigo)
    lidos = {n.id for n in ast.walk(arvore) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    definidos = {n.id for n in ast.walk(arvore) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
    definidos |= {a.asname or a.name.split(".")[0] for n in ast.walk(arvore)
                  if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    definidos |= {n.name for n in ast.walk(arvore) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    definidos |= {a.arg for n in ast.walk(arvore) if isinstance(n, ast.arguments)
                  for a in [*n.args, *n.kwonlyargs, *( [n.vararg] if n.vararg else []), *([n.kwarg] if n.kwarg else [])]}
    definidos |= {n.name for n in ast.walk(arvore) if isinstance(n, ast.ExceptHandler) and n.name}
    return lidos, definidos


def test_todos_os_cadernos_sao_julgados_fora_do_kernel():
    """Sem a secção contexto, os testes de um caderno correriam no kernel do aluno (issue 20)."""
    assert JULGADOS == [c.nome for c in manifesto.CADERNOS], JULGADOS


@pytest.mark.parametrize("caderno", JULGADOS)
def test_cada_nome_que_os_testes_julgados_usam_existe_no_juiz(caderno, build):
    """Um nome que falte ao contexto faria um teste falhar por culpa do juiz (NameError): o
    contexto define tudo o que as células julgadas usam além dos exercícios (que são remotos)."""
    import nbformat

    raiz, _ = build
    contexto = juiz.contexto_do_caderno(caderno)
    _, do_contexto = _nomes_lidos_e_definidos(contexto)
    disponiveis = (do_contexto | set(juiz.espaco_base(None, [])) | set(manifesto.POR_NOME[caderno].nomes)
                   | set(dir(builtins)) | set(juiz.lidos_do_kernel(contexto)))
    source = nbformat.read(raiz / "source" / caderno / f"{caderno}.ipynb", as_version=4)
    definidos_antes: set[str] = set()
    for celula in source.cells:
        meta = comum.nbgrader_meta(celula)
        if not (meta.get("grade") and not meta.get("solution") and celula.cell_type == "code"):
            continue
        visivel, oculta = comum.partes_do_teste(celula.source)
        lidos, definidos = _nomes_lidos_e_definidos(visivel + "\n" + oculta)
        faltam = lidos - definidos - disponiveis - definidos_antes
        assert not faltam, f"{caderno}/{meta['grade_id']}: o juiz não tem {sorted(faltam)} (acrescenta-os ao contexto)"
        definidos_antes |= definidos  # as células de teste partilham o espaço, pela ordem


@pytest.mark.parametrize("caderno", JULGADOS)
def test_o_contexto_nunca_entra_no_release(caderno, build):
    raiz, _ = build
    texto = (raiz / "release" / caderno / f"{caderno}.ipynb").read_text(encoding="utf-8")
    assert "CELULAS_NO_KERNEL" not in texto and "contexto do juiz" not in texto


class _Mentiroso(int):
    __eq__ = lambda s, o: True  # noqa: E731
    __hash__ = int.__hash__


def test_dados_simples_ida_e_volta_e_objetos_que_mentem():
    valores = [None, True, 3, 2.5, "texto", b"\x00\x01", (1, [2, {"a": np.arange(3)}]), np.float32(1.5)]
    volta = de_dados(json.loads(json.dumps(para_dados(valores))))
    assert volta[:6] == valores[:6] and volta[6][0] == 1 and np.array_equal(volta[6][1][1]["a"], np.arange(3))
    assert isinstance(volta[7], np.float32) and volta[7] == 1.5
    mentiroso = de_dados(json.loads(json.dumps(para_dados(_Mentiroso(4)))))
    assert type(mentiroso) is int and mentiroso == 4 and mentiroso != 5  # vale o que realmente é
    assert isinstance(de_dados(para_dados(object())), Opaco)


@pytest.mark.parametrize("forjado", [
    {"t": "pickle", "v": "gASV"}, {"t": "int", "v": "1e9999x"}, {"t": "ndarray", "v": "nao-e-base64!"},
    {"t": "bool", "v": "sim"}, "nem um dicionario", {"t": "list", "v": [{"t": "eval", "v": "__import__('os')"}]},
])
def test_uma_observacao_forjada_mal_formada_e_recusada(forjado):
    with pytest.raises(ObservacaoInvalida):
        de_dados(forjado)


def test_um_array_com_pickle_e_recusado():
    import base64
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ObservacaoInvalida):
        de_dados({"t": "ndarray", "v": base64.b64encode(buf.getvalue()).decode()})


def test_erro_do_aluno_volta_com_o_tipo_embutido_mais_proximo():
    saidas = [{"output_type": "display_data", "data": {"application/x-curso4-observacao+json": {
        "erro": {"tipos": ["TipoDesconhecido", "ValueError", "Exception"], "mensagem": "tipo 'int2'"}}}}]
    with pytest.raises(ValueError, match="int2") as info:
        juiz.resposta(saidas)
    assert isinstance(info.value, juiz.ErroDoAluno)


def test_resposta_em_falta_falha_o_teste_com_o_motivo():
    with pytest.raises(juiz.ObservacaoEmFalta, match="não respondeu"):
        juiz.resposta([{"output_type": "stream", "name": "stdout", "text": "✅ passou"}])


def test_um_nome_em_falta_no_juiz_e_falha_da_avaliacao_nao_do_aluno():
    with pytest.raises(juiz.FalhaDoJuiz):
        juiz.julgar_celula("assert nome_que_o_contexto_esqueceu == 1", "", {})
    veredicto = juiz.julgar_celula("assert 1 == 2, 'falhou'", "", {})
    assert not veredicto.passou and veredicto.mensagem == "falhou"


def test_no_juiz_passou_da_a_linha_para_o_feedback_sem_registar(tmp_path, monkeypatch, capsys):
    """O ``verificacao.passou`` das células de teste, no juiz: a linha ✅ vai no veredicto (o
    preprocessador põe-na na saída da célula, que vai para o feedback) e nada é registado; se a
    parte oculta falhar, a linha não vai."""
    from otimizacao import progresso

    ficheiro = tmp_path / progresso.NOME
    monkeypatch.setenv(progresso.ENV_PROGRESSO, str(ficheiro))
    monkeypatch.delenv(progresso.ENV_AVALIACAO, raising=False)  # nem com o registo ligado
    espaco = juiz.espaco_base(None, [])
    visivel = ('x = 1\nverificacao.registar_medidas("podar_progressivamente", {"esparsidade": 0.8})\n'
               'verificacao.passou("mascara_magnitude", "trata bem os limites nos testes visíveis")')
    veredicto = juiz.julgar_celula(visivel, "assert x == 1", espaco)
    assert veredicto.passou and veredicto.linhas == ("✅ mascara_magnitude trata bem os limites nos testes visíveis.",)
    assert juiz.julgar_celula('verificacao.passou("calcular_sparsity")', "", espaco).linhas == (
        "✅ calcular_sparsity passou nos testes visíveis.",)  # só as linhas desta célula
    veredicto = juiz.julgar_celula('verificacao.passou("tamanho_gzip")', "assert False, 'oculto'", espaco)
    assert not veredicto.passou and veredicto.linhas == ()
    assert not ficheiro.exists() and capsys.readouterr().out == ""


@pytest.mark.parametrize("celula", ['verificacao.passou("mascara_magnitud")',
                                    'verificacao.registar_medidas("podar_progressivamente", {"esparsidad": 0.8})',
                                    'verificacao.passou()'])
def test_no_juiz_um_nome_errado_na_verificacao_e_falha_da_avaliacao_nao_do_aluno(celula):
    with pytest.raises(juiz.FalhaDoJuiz, match="chama mal a verificação"):
        juiz.julgar_celula(celula, "", juiz.espaco_base(None, []))


def test_mudancas_no_lugar_voltam_ao_juiz():
    lista, dicionario, arr = [1, 2], {"a": {"b": 1}}, np.zeros(3)
    juiz._repor([lista, dicionario, arr], [[1, 2, 3], {"a": {"b": 2}, "c": 0}, np.ones(3)])
    assert lista == [1, 2, 3] and dicionario == {"a": {"b": 2}, "c": 0} and arr.tolist() == [1, 1, 1]


def test_o_build_ignora_a_seccao_contexto():
    ocultos = construir.testes_ocultos("00_numeros_e_memoria")
    assert "contexto" not in ocultos and "teste_memoria_modelo" in ocultos


def test_modelos_do_keras_atravessam_a_fronteira_e_a_lambda_nao():
    """Um modelo QAT treinado (tfmot) reconstruído no juiz prevê exatamente o mesmo, com o
    otimizador e os passos de treino; um modelo com uma camada Lambda (código) é recusado."""
    import tensorflow_model_optimization as tfmot
    import tf_keras as keras

    from otimizacao import dados, modelos

    d = dados.carregar_dados("digits")
    q = tfmot.quantization.keras.quantize_model(modelos.treinar_modelo_base(d))
    q.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    q.fit(d.x_treino[:256], d.y_treino[:256], epochs=1, verbose=0)  # os mínimos e máximos da quantização mudam
    volta = de_dados(json.loads(json.dumps(para_dados(q))))
    assert [type(c).__name__ for c in volta.layers] == [type(c).__name__ for c in q.layers]
    assert np.array_equal(volta.predict(d.x_teste[:64], verbose=0), q.predict(d.x_teste[:64], verbose=0))
    assert int(volta.optimizer.iterations.numpy()) == int(q.optimizer.iterations.numpy()) > 0
    com_codigo = keras.Sequential([keras.layers.Input((2,)), keras.layers.Lambda(lambda x: x * 2)])
    with pytest.raises(ObservacaoInvalida, match="Lambda"):
        de_dados(json.loads(json.dumps(para_dados(com_codigo))))
