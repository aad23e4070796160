"""Os cenários de teste que só observam (course/otimizacao/cenarios.py).

Rápidos: um TopK pequeno e correto e outro estragado, conduzidos à mão e num fit de um modelo
minúsculo. Os cenários não julgam: contam o que a classe fez, e é isso que se verifica aqui.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pytest
import tf_keras as keras

from otimizacao import cenarios
from otimizacao.mensagens import de_dados, para_dados


class TopKPequeno(keras.callbacks.Callback):
    """Um TopK correto (o mais curto possível): num empate fica o mais antigo."""

    def __init__(self, caminho, monitor="val_x", k=2, modo="max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("argumentos inválidos")
        self.caminho, self.monitor, self.k, self.sinal = caminho, monitor, k, (1 if modo == "max" else -1)
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            warnings.warn(f"falta {self.monitor}", stacklevel=2)
            return
        valor = float(logs[self.monitor])
        pos = next((i for i, (v, _) in enumerate(self.melhores) if self.sinal * valor > self.sinal * v),
                   len(self.melhores))
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        for _, sai in self.melhores[self.k:]:
            os.remove(sai)
        del self.melhores[self.k:]


class TopKEstragado(keras.callbacks.Callback):
    """Guarda todos os modelos, deixa um ficheiro a mais, guarda em melhores só o nome e um
    caminho de fora da pasta, e rebenta sem a métrica."""

    def __init__(self, caminho, monitor="val_x", k=2, modo="max"):
        super().__init__()
        self.caminho, self.monitor = caminho, monitor
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        caminho = self.caminho.format(epoch=epoch, **logs)  # KeyError se faltar a métrica do nome
        self.model.save(caminho)
        with open(os.path.join(os.path.dirname(caminho), "notas.txt"), "a", encoding="utf-8") as f:
            f.write(f"{logs[self.monitor]}\n")
        self.melhores.append([logs[self.monitor], os.path.basename(caminho)])


@pytest.fixture
def temporarias(tmp_path, monkeypatch):
    """As pastas temporárias dos cenários vão para tmp_path (para se ver que são apagadas)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _sobras(pasta):
    """As pastas dos cenários que ficaram (o TensorFlow também lá escreve os seus ficheiros)."""
    return [p.name for p in pasta.iterdir() if p.name.startswith("cenario_")]


def _modelo_minusculo():
    keras.utils.set_random_seed(0)
    modelo = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(2)])
    modelo.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return modelo


def _dados():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 3)).astype("float32"), rng.integers(0, 2, 32)


def test_conduzir_um_topk_correto_conta_o_que_ele_fez(temporarias):
    r = cenarios.conduzir_callback(TopKPequeno, "m{epoch:02d}.keras", [0.5, 0.7, 0.6, 0.4, 0.8, 0.7],
                                   "val_x", logs_extra={"loss": 1.0}, k=2, modo="max")
    assert r["escritos"] == ["m01.keras", "m02.keras", "m03.keras", "m05.keras"]
    assert r["no_disco_por_epoca"] == [["m01.keras"], ["m01.keras", "m02.keras"], ["m02.keras", "m03.keras"],
                                       ["m02.keras", "m03.keras"], ["m02.keras", "m05.keras"],
                                       ["m02.keras", "m05.keras"]]
    assert r["no_disco"] == ["m02.keras", "m05.keras"]
    assert r["melhores"] == [(0.8, "m05.keras"), (0.7, "m02.keras")]
    assert r["avisos"] == []
    assert _sobras(temporarias) == [], "a pasta temporária do cenário ficou no disco"


def test_um_valor_none_e_a_metrica_em_falta_e_os_avisos_sao_contados(temporarias):
    vistos = []

    class Espiao(TopKPequeno):
        def on_epoch_end(self, epoch, logs=None):
            vistos.append(dict(logs))
            super().on_epoch_end(epoch, logs)

    extra = [{"loss": 1.0}, {"loss": 0.9, "val_loss": 123.0}, {"loss": 0.8, "val_accuracy": 0.9}]
    r = cenarios.conduzir_callback(Espiao, "m{epoch}.keras", [None, 0.8, None], "val_loss", logs_extra=extra,
                                   k=2, modo="min")
    assert vistos == [{"loss": 1.0}, {"val_loss": 0.8, "loss": 0.9}, {"loss": 0.8, "val_accuracy": 0.9}]
    assert r["avisos"] == ["falta val_loss", "falta val_loss"]
    assert r["no_disco"] == ["m2.keras"] and r["escritos"] == ["m2.keras"]
    assert r["melhores"] == [(0.8, "m2.keras")]


def test_um_topk_estragado_ve_se_nos_dados(temporarias):
    r = cenarios.conduzir_callback(TopKEstragado, "m{epoch}.keras", [0.5, 0.7, 0.6], "val_x", k=2)
    assert r["escritos"] == ["m0.keras", "m1.keras", "m2.keras"]  # guardou todos, época a contar de 0
    assert r["no_disco"] == ["m0.keras", "m1.keras", "m2.keras", "notas.txt"]  # o ficheiro a mais conta
    # Só o nome (um caminho relativo, fora da pasta do cenário): aparece absoluto, e como lista.
    assert r["melhores"] == [[0.5, os.path.abspath("m0.keras")], [0.7, os.path.abspath("m1.keras")],
                             [0.6, os.path.abspath("m2.keras")]]
    assert _sobras(temporarias) == []


def test_os_erros_da_classe_chegam_a_celula_e_a_pasta_e_apagada(temporarias):
    with pytest.raises(ValueError, match="argumentos inválidos"):
        cenarios.conduzir_callback(TopKPequeno, "m.keras", [0.5], "val_x", k=0)
    with pytest.raises(KeyError):  # a métrica do nome em falta: o on_epoch_end rebenta
        cenarios.conduzir_callback(TopKEstragado, "m{epoch}_{val_x}.keras", [0.5, None], "val_x")
    with pytest.raises(ValueError, match="argumentos inválidos"):
        cenarios.treinar_com_callback(TopKPequeno, "m.keras", _modelo_minusculo(), *_dados(), k=0)
    assert _sobras(temporarias) == []


def test_treinar_com_um_topk_correto(temporarias):
    x, y = _dados()
    r = cenarios.treinar_com_callback(TopKPequeno, "e{epoch:02d}_{val_loss:.4f}.keras", _modelo_minusculo(), x, y,
                                      validation_data=(x, y), epochs=3, batch_size=8, monitor="val_loss", k=2,
                                      modo="min")
    assert r["erro"] is None and r["avisos"] == []
    h = r["historico"]
    assert sorted(h) == ["accuracy", "loss", "val_accuracy", "val_loss"] and len(h["val_loss"]) == 3
    ordem = sorted(range(3), key=lambda e: h["val_loss"][e])[:2]
    esperados = [f"e{e + 1:02d}_{h['val_loss'][e]:.4f}.keras" for e in ordem]
    assert r["no_disco"] == sorted(esperados)
    assert r["melhores"] == [(h["val_loss"][e], c) for e, c in zip(ordem, esperados, strict=True)]
    assert _sobras(temporarias) == []


def test_treinar_conta_o_erro_do_fit_e_os_avisos_em_vez_de_rebentar(temporarias):
    x, y = _dados()
    r = cenarios.treinar_com_callback(TopKEstragado, "m{epoch}_{val_accuracy:.4f}.keras", _modelo_minusculo(), x, y,
                                      epochs=2, batch_size=8, monitor="val_accuracy")
    assert r["erro"] is not None and r["erro"].startswith("KeyError:"), r["erro"]
    assert r["historico"] == {}  # morreu no fim da primeira época, antes de o History a registar
    r = cenarios.treinar_com_callback(TopKPequeno, "m{epoch}_{val_accuracy:.4f}.keras", _modelo_minusculo(), x, y,
                                      epochs=2, batch_size=8, monitor="val_accuracy")
    assert r["erro"] is None and len(r["historico"]["loss"]) == 2
    assert r["avisos"] == ["falta val_accuracy", "falta val_accuracy"]
    assert r["no_disco"] == [] and r["melhores"] == []
    assert _sobras(temporarias) == []


def test_o_que_os_cenarios_devolvem_sao_dados_simples(temporarias):
    """Atravessa a fronteira do juiz sem perder nada (nenhum Opaco, nenhum objeto)."""
    x, y = _dados()
    for r in (cenarios.conduzir_callback(TopKPequeno, "m{epoch}.keras", [0.5, None, 0.7], "val_x", k=1),
              cenarios.treinar_com_callback(TopKPequeno, "m{epoch}.keras", _modelo_minusculo(), x, y,
                                            validation_data=(x, y), epochs=1, batch_size=8, monitor="val_loss")):
        assert de_dados(json.loads(json.dumps(para_dados(r)))) == r


def test_importar_os_cenarios_nao_importa_o_tensorflow():
    codigo = "import sys, otimizacao.cenarios; print('tensorflow' in sys.modules)"
    saida = subprocess.run([sys.executable, "-c", codigo], capture_output=True, text=True, check=True)
    assert saida.stdout.strip() == "False"
