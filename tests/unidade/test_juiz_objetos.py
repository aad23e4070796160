"""O protocolo do juiz com objetos do aluno (issue 20): instâncias que ficam no kernel e são
usadas por número, atributos lidos como dados, argumentos que voltam mudados, tf.function
compilada no kernel, gestores de contexto abertos lá, funções espiadas, figuras, avisos e print.

Rápidos: o «kernel» é este processo (``servico_avaliacao.servir`` com um espaço de nomes que faz
de caderno do aluno); o caminho a sério (caixa, nbclient, nbgrader) está em test_batota.py e na
turma de demonstração (test_avaliacao.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings

import numpy as np
import pytest

from autograder import juiz
from otimizacao import mensagens, servico_avaliacao


class CanalNoMesmoProcesso:
    """Faz de kernel: corre o pedido com ``servir`` neste processo e lê a resposta como o juiz."""

    def __init__(self, espaco: dict):
        self.espaco, self.pedidos = espaco, 0

    def chamar(self, alvo, args, kwargs, ler=False, ligados=None, **opcoes):
        import IPython.display

        self.pedidos += 1
        codigo = juiz.pedido(alvo, args, kwargs, ler=ler, **opcoes)
        texto = codigo.split('servir("')[1].split('"')[0]
        saidas = []
        original = IPython.display.publish_display_data
        IPython.display.publish_display_data = lambda dados: saidas.append(
            {"output_type": "display_data", "data": json.loads(json.dumps(dados))})
        try:
            with contextlib.redirect_stdout(io.StringIO()) as ecra:
                servico_avaliacao.servir(texto, self.espaco)
        finally:
            IPython.display.publish_display_data = original
        if ecra.getvalue():
            saidas.insert(0, {"output_type": "stream", "name": "stdout", "text": ecra.getvalue()})
        return juiz.resposta(saidas, args, kwargs, canal=self, ligados=ligados)


class Contador:
    """A «classe do aluno»: guarda a lista com que foi criada e mexe-lhe nos métodos."""

    def __init__(self, registo: list, passo: int = 1):
        self.registo, self.passo, self.total = registo, passo, 0

    def somar(self, n: int) -> int:
        self.total += n * self.passo
        self.registo.append(self.total)
        return self.total

    def __call__(self, x):
        return x * 2

    def proprio(self, objeto):
        return objeto is self


def _juiz_com(**caderno):
    canal = CanalNoMesmoProcesso(dict(caderno))
    return canal, {nome: juiz.ChamadaRemota(canal, nome) for nome in caderno}


def test_uma_instancia_do_aluno_fica_no_kernel_e_usa_se_por_numero():
    canal, e = _juiz_com(Contador=Contador)
    registo = []
    c = e["Contador"](registo, passo=3)
    assert isinstance(c, juiz.ObjetoRemoto)
    assert c.somar(2) == 6 and c.somar(1) == 9
    assert c.total == 9 and c.passo == 3  # atributos lidos como dados
    assert registo == [6, 9]  # a lista com que foi criado voltou mudada depois de cada método
    assert c(21) == 42
    assert c.proprio(c) is True  # passado de volta, é o próprio objeto lá
    assert isinstance(e["Contador"].somar, juiz.MetodoRemoto)  # um atributo da classe também


def test_um_objeto_que_mente_nos_atributos_vale_o_que_realmente_e():
    class Mentiroso(int):
        __eq__ = lambda s, o: True  # noqa: E731
        __hash__ = int.__hash__

    class Batoteiro:
        chamadas = Mentiroso(3)

    canal, e = _juiz_com(Batoteiro=Batoteiro)
    b = e["Batoteiro"]()
    assert type(b.chamadas) is int and b.chamadas == 3 and b.chamadas != 17


def test_devolver_o_proprio_argumento_chega_como_o_objeto_do_juiz():
    canal, e = _juiz_com(mesmo=lambda lista: lista, copia=lambda lista: list(lista))
    lista = [1, 2]
    assert e["mesmo"](lista) is lista
    assert e["copia"](lista) is not lista and e["copia"](lista) == lista


def test_um_gestor_de_contexto_do_caderno_abre_e_fecha_no_kernel():
    estado = {"dentro": False}

    @contextlib.contextmanager
    def numa_pasta():
        registo = {"antes": 1}
        estado["dentro"] = True
        try:
            yield registo
        finally:
            registo["depois"] = 2
            estado["dentro"] = False

    def onde_estou():
        return estado["dentro"]

    canal, e = _juiz_com(numa_pasta=numa_pasta, onde_estou=onde_estou)
    gestor = juiz.ContextoNoKernel(canal, "numa_pasta")
    with gestor() as registo:
        assert e["onde_estou"]() is True and registo == {"antes": 1}
    assert e["onde_estou"]() is False and registo == {"antes": 1, "depois": 2}


def test_print_e_avisos_da_funcao_do_aluno_chegam_ao_teste():
    def fala():
        print("tabela: original podado int8")
        warnings.warn("falta a métrica val_loss", stacklevel=2)
        return 1

    canal, e = _juiz_com(fala=fala)
    with contextlib.redirect_stdout(io.StringIO()) as ecra, warnings.catch_warnings(record=True) as avisos:
        warnings.simplefilter("always")
        assert e["fala"]() == 1
    assert "podado" in ecra.getvalue()
    assert [str(a.message) for a in avisos] == ["falta a métrica val_loss"]


def test_uma_figura_atravessa_com_o_que_tem_desenhado():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    def desenha(tipo):
        figura = Figure()
        eixo = figura.add_subplot()
        if tipo == "barras":
            eixo.bar([0, 1], [3, 4])
        elif tipo == "linha":
            eixo.plot([1, 2, 3], [4, 5, 6])
        eixo.set_title("tamanho contra exatidão")
        return figura

    canal, e = _juiz_com(desenha=desenha)
    barras, linha, vazia = e["desenha"]("barras"), e["desenha"]("linha"), e["desenha"]("nada")
    assert isinstance(barras, Figure) and len(barras.axes[0].patches) == 2
    assert barras.axes[0].get_title() == "tamanho contra exatidão"
    assert np.array_equal(linha.axes[0].lines[0].get_xydata(), [[1, 4], [2, 5], [3, 6]])
    assert not (vazia.axes[0].lines or vazia.axes[0].patches or vazia.axes[0].collections)


def test_torch_save_espiado_diz_se_o_destino_e_um_ficheiro_em_memoria(tmp_path):
    import torch
    from torch import nn

    def em_memoria(modelo):
        buf = io.BytesIO()
        torch.save(modelo.state_dict(), buf)
        return len(buf.getvalue())

    def no_disco(modelo):
        caminho = tmp_path / "temp.p"
        torch.save(modelo.state_dict(), caminho)
        tamanho = caminho.stat().st_size
        caminho.unlink()
        return tamanho

    canal, e = _juiz_com(em_memoria=em_memoria, no_disco=no_disco)
    espiar = juiz.espaco_base(canal, [])["espiar"]
    modelo = nn.Linear(2, 2)
    _, chamadas = espiar(["torch.save"], e["em_memoria"], modelo)
    assert len(chamadas["torch.save"]) == 1 and chamadas["torch.save"][0][1] == ["BytesIO", True]
    _, chamadas = espiar(["torch.save"], e["no_disco"], modelo)
    assert chamadas["torch.save"][0][1][1] is False
    assert torch.save.__module__ == "torch.serialization"  # o espião saiu


def test_modulos_do_pytorch_voltam_ao_juiz_com_o_estado_que_a_funcao_lhes_deixou():
    import torch
    from torch import nn

    def estraga(modelo):
        modelo.float().eval()
        return 0

    canal, e = _juiz_com(estraga=estraga)
    modelo = nn.Sequential(nn.Linear(3, 2)).double().train()
    e["estraga"](modelo)
    assert not modelo.training and modelo[0].weight.dtype == torch.float32


def test_tf_function_de_um_exercicio_compila_no_kernel_e_uma_variavel_chega_como_variavel():
    import tensorflow as tf

    def taxa(passo):
        # um «if» de Python sobre um tensor: funciona fora do grafo, falha dentro de tf.function
        return tf.constant(1.0) if passo < 5 else tf.constant(2.0)

    def e_variavel(x):
        return isinstance(x, tf.Variable)

    canal, e = _juiz_com(taxa=taxa, e_variavel=e_variavel)
    tf_juiz = juiz._TFNoJuiz(tf)
    assert float(e["taxa"](tf.constant(3))) == 1.0
    with pytest.raises(Exception) as erro:  # noqa: PT011 (o tipo é o que o TensorFlow levantar lá)
        tf_juiz.function(e["taxa"], autograph=False)(tf.constant(3))
    assert isinstance(erro.value, juiz.ErroDoAluno)
    assert e["e_variavel"](tf.Variable(3, dtype=tf.int64)) is True
    assert e["e_variavel"](tf.constant(3)) is False


def test_um_numero_de_objeto_forjado_nao_da_acesso_a_nada_do_juiz():
    """O kernel pode responder {"t": "remoto", "id": 999}: o juiz só guarda o número; usá-lo é
    um pedido ao kernel, que falha como a função do aluno falharia."""
    canal, e = _juiz_com(forja=lambda: 0)
    falso = juiz._ligar(mensagens.Remoto(999, "Falso"), canal, None)
    with pytest.raises(juiz.ErroDoAluno):
        falso.qualquer_coisa()
